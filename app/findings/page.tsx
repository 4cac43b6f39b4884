import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { InventoryTable } from "../../components/findings/inventory-table.tsx";
import { inventoryOverview } from "../../lib/findings/assets.ts";
import { getViewer } from "../../lib/auth/session.ts";

export const metadata: Metadata = { title: "Findings" };

/** Open findings by severity in every project the viewer belongs to; each project's findings page triages them. */
export default async function FindingsOverviewPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Ffindings");
  const rows = (await inventoryOverview(viewer)).sort((a, b) => b.findings - a.findings);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="h-page">Findings</h1>
        <p className="text-sm text-zinc-500">What your scans found, kept once per asset and triaged per project. Open: new or confirmed.</p>
      </div>
      {rows.some((r) => r.findings > 0) ? (
        <InventoryTable rows={rows} caption="Findings per project" />
      ) : (
        <EmptyState title="No findings yet">A package that declares finding mappings (the nmap example: cleartext remote access, reachable data stores) adds them as its runs store results.</EmptyState>
      )}
    </div>
  );
}
