/**
 * What a function asks for (read from its source at upload) next to what its package has been
 * granted. Informational: the runner checks at every task start; this only warns ahead.
 */
export interface PrivilegesView {
  hostNetwork: boolean;
  caps: string[];
  images: string[];
  services: boolean;
  ports: number[];
}

export interface PrivilegeGap {
  hostNetwork: boolean;
  caps: string[];
}

export function Privileges({ declared, missing, compact = false }: { declared: PrivilegesView | undefined; missing: PrivilegeGap | null; compact?: boolean }) {
  if (!declared) return null;
  const needs = [
    ...(declared.hostNetwork ? ["host networking"] : []),
    ...declared.caps.map((c) => `capability ${c}`),
  ];
  const notGranted = missing ? [...(missing.hostNetwork ? ["host networking"] : []), ...missing.caps.map((c) => `capability ${c}`)] : [];
  return (
    <div className="text-sm" aria-label="Privileges">
      {notGranted.length > 0 && (
        <p role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
          Needs {notGranted.join(" and ")} — not granted to this package: its tasks that ask for it will be refused. Ask an admin for a grant.
        </p>
      )}
      {!compact && (
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-zinc-700">
          <dt className="text-zinc-500">Privileges</dt>
          <dd>
            {needs.length ? (
              needs.map((n) => (
                <span key={n} className={`badge mr-1 ${notGranted.includes(n) ? "border-amber-300 bg-amber-50 text-amber-900" : "border-emerald-200 bg-emerald-50 text-emerald-800"}`}>
                  {n}
                  {notGranted.includes(n) ? " · not granted" : " · granted"}
                </span>
              ))
            ) : (
              <span>none beyond an isolated container</span>
            )}
          </dd>
          {declared.images.length > 0 && (
            <>
              <dt className="text-zinc-500">Images</dt>
              <dd className="font-mono text-xs">{declared.images.join(", ")}</dd>
            </>
          )}
          {(declared.services || declared.ports.length > 0) && (
            <>
              <dt className="text-zinc-500">Network</dt>
              <dd>
                {declared.services && "starts service containers"}
                {declared.services && declared.ports.length > 0 && "; "}
                {declared.ports.length > 0 && `ports ${declared.ports.join(", ")}`}
              </dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
