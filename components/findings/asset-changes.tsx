import Link from "next/link";
import type { AssetChanges } from "../../lib/findings/changes.ts";
import { plural } from "../../runner/src/plural.ts";

/** "2 new services (10.0.0.1:8080/tcp, …)" — a count, with the first few named. */
function counted(n: number, what: string, items: string[]): string {
  if (!n) return `${plural(0, what)}`;
  const named = items.slice(0, 3).join(", ");
  return `${plural(n, what)} (${named}${n > 3 ? ", …" : ""})`;
}

/** One line of what changed in assets and findings between two runs; nothing when neither run mapped anything. */
export function AssetChangesLine({ changes, slug }: { changes: AssetChanges; slug: string }) {
  if (!changes.mapped) return null;
  const s = changes.services;
  const f = changes.findings;
  const parts = [
    `${counted(s.new.count, "new service", s.new.items)}, ${s.gone.count} gone`,
    ...(changes.hosts.new.count || changes.hosts.gone.count ? [`${counted(changes.hosts.new.count, "new host", changes.hosts.new.items)}, ${changes.hosts.gone.count} gone`] : []),
    ...(changes.origins.new.count || changes.origins.gone.count ? [`${counted(changes.origins.new.count, "new web origin", changes.origins.new.items)}, ${changes.origins.gone.count} gone`] : []),
    `${plural(f.new.count, "new finding")}${f.gone.count ? `, ${f.gone.count} no longer seen` : ""}`,
  ];
  return (
    <p className="text-sm" aria-label="Assets and findings since">
      {parts.join("; ")}
      {(f.new.count > 0 || s.new.count > 0) && (
        <>
          {" · "}
          <Link href={`/projects/${slug}/findings?state=open`}>findings</Link>
          {" · "}
          <Link href={`/projects/${slug}/assets`}>assets</Link>
        </>
      )}
    </p>
  );
}
