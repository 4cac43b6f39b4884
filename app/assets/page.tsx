import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { InventoryTable } from "../../components/findings/inventory-table.tsx";
import { inventoryOverview } from "../../lib/findings/assets.ts";
import { getViewer } from "../../lib/auth/session.ts";

export const metadata: Metadata = { title: "Assets" };

/** The asset inventory of every project the viewer belongs to; each project's hosts are one click on. */
export default async function AssetsPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fassets");
  const rows = await inventoryOverview(viewer);
  const any = rows.some((r) => r.hosts > 0);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="h-page">Assets</h1>
        <p className="text-sm text-zinc-500">Hosts and services your scans saw, per project. A package that declares an asset mapping (the nmap example does) fills them in as its runs store results.</p>
      </div>
      {any ? (
        <InventoryTable rows={rows} caption="Assets per project" />
      ) : (
        <EmptyState title="No assets yet" action={<Link href="/p/szczecin/nmap_python" className="btn btn-primary">Scan with nmap</Link>}>
          Run a scan whose package maps its results to assets: its hosts and services show here, per project.
        </EmptyState>
      )}
    </div>
  );
}
