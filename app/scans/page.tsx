import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { ScanTable } from "../../components/scan-table.tsx";
import { listScans } from "../../lib/scans/scans.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { deleteScanAction, runScanNowAction, setScanEnabledAction } from "../actions/scans.ts";

export const metadata: Metadata = { title: "Scans" };

export default async function ScansPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fscans");
  const admin = viewer.role === "admin";
  const scans = await listScans(viewer, { all: admin });
  return (
    <div className="space-y-4">
      <div>
        <h1 className="h-page">{admin ? "All scans" : "Your scans"}</h1>
        <p className="text-sm text-zinc-500">
          Saved run configurations, run on their schedule or by hand. Save one from a run&apos;s page or from a run form.
        </p>
      </div>
      {scans.length === 0 ? (
        <EmptyState title="No scans yet" action={<Link href="/runs" className="btn btn-primary">Pick a run to save</Link>}>
          Open a run and choose “Save as scan”, with a cron schedule such as <code>0 3 * * *</code> to run it every night.
        </EmptyState>
      ) : (
        <ScanTable scans={scans} viewerName={viewer.username} showOwner={admin} actions={{ runNow: runScanNowAction, setEnabled: setScanEnabledAction, remove: deleteScanAction }} />
      )}
    </div>
  );
}
