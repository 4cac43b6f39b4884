/**
 * What a function asks for (read from its source at upload) next to what its grant gives it, in
 * words. Informational: the runner checks at every task start; this only warns ahead.
 */
import { describeGrant, type GrantWordsInput } from "./grant-words.ts";

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

export function Privileges({
  declared,
  granted,
  missing,
  compact = false,
}: {
  declared: PrivilegesView | undefined;
  /** what the grants covering this function give it */
  granted: GrantWordsInput;
  missing: PrivilegeGap | null;
  compact?: boolean;
}) {
  if (!declared) return null;
  const asks = [...(declared.hostNetwork ? ["host networking (Cr(host=True))"] : []), ...declared.caps.map((c) => `capability ${c}`)];
  const notGranted = missing ? [...(missing.hostNetwork ? ["host networking"] : []), ...missing.caps.map((c) => `capability ${c}`)] : [];
  const grantedSomething = granted.network !== "none" || granted.caps.length > 0;
  return (
    <div className="text-sm" aria-label="Privileges">
      {notGranted.length > 0 && (
        <p role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
          Needs {notGranted.join(" and ")} — not granted to this function: its tasks that ask for it will be refused. Ask an admin for a grant.
        </p>
      )}
      {!compact && (
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-zinc-700">
          <dt className="text-zinc-500">Asks for</dt>
          <dd>{asks.length ? asks.join(", ") : "nothing beyond an isolated container"}</dd>
          {(asks.length > 0 || grantedSomething) && (
            <>
              <dt className="text-zinc-500">Granted</dt>
              <dd>{grantedSomething ? describeGrant(granted) : "nothing"}</dd>
            </>
          )}
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
