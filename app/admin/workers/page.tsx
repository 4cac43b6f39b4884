import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { QueueLimitsForm } from "../../../components/queue-limits-form.tsx";
import { DeviceRulesForm } from "../../../components/device-rules-form.tsx";
import { setDeviceRulesAction } from "../../actions/devices.ts";
import { WorkerCredentials } from "../../../components/worker-credentials.tsx";
import { WorkerTable } from "../../../components/worker-table.tsx";
import { MetricsToken } from "../../../components/metrics-token.tsx";
import { metricsTokenStatus } from "../../../lib/metrics/token.ts";
import { createMetricsTokenAction, revokeMetricsTokenAction } from "../../actions/metrics-token.ts";
import { listWorkerCredentials } from "../../../lib/queue/credentials.ts";
import { listWorkers } from "../../../lib/queue/workers.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { DEVICE_WAIT_MINUTES, getSettings } from "../../../lib/platform/settings.ts";
import { hubPublicUrl } from "../../../lib/accounts/public-url.ts";
import { createWorkerCredentialAction } from "../../actions/create-worker-credential.ts";
import { revokeWorkerCredentialAction } from "../../actions/revoke-worker-credential.ts";
import { updateQueueLimitsAction } from "../../actions/update-queue-limits.ts";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Workers");
export const dynamic = "force-dynamic";

export default async function WorkersPage() {
  const viewer = await getViewer();
  // the page does not exist for anyone but admins, signed in or not
  if (viewer?.role !== "admin") notFound();
  const [settings, workers, credentials, hubUrl, metrics] = await Promise.all([getSettings(), listWorkers(), listWorkerCredentials(), headers().then(hubPublicUrl), metricsTokenStatus()]);
  return (
    <div className="mx-auto max-w-5xl space-y-8">
      <div>
        <h1 className="h-page">Workers</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Workers run the queued runs, each on its own Docker engine. <code>npm start</code> runs one on this machine; add a Docker host with a credential below and
          <code> npm run worker</code> there. A worker that misses three heartbeats is lost: its runs end failed (WorkerLost).
        </p>
      </div>
      <section aria-labelledby="workers-h" className="space-y-2">
        <h2 id="workers-h" className="h-section">Workers</h2>
        <WorkerTable workers={workers} />
      </section>
      <section aria-labelledby="limits-h" className="space-y-2">
        <h2 id="limits-h" className="h-section">Limits</h2>
        <QueueLimitsForm limits={settings.queue} action={updateQueueLimitsAction} />
        <DeviceRulesForm
          hostNetworkOnDevicesOnly={settings.queue.hostNetworkOnDevicesOnly}
          deviceWaitMinutes={settings.queue.deviceWaitMinutes}
          bounds={DEVICE_WAIT_MINUTES}
          action={setDeviceRulesAction}
        />
      </section>
      <section aria-labelledby="creds-h" className="space-y-2">
        <h2 id="creds-h" className="h-section">Credentials</h2>
        <WorkerCredentials credentials={credentials} hubUrl={hubUrl} createAction={createWorkerCredentialAction} revokeAction={revokeWorkerCredentialAction} />
      </section>
      <section aria-labelledby="metrics-h" className="space-y-2">
        <h2 id="metrics-h" className="h-section">Metrics</h2>
        <p className="text-sm text-zinc-600">
          Prometheus scrapes <code>/metrics</code> with this token (<code>Authorization: Bearer …</code>); it opens nothing else. <code>/api/health</code> and{" "}
          <code>/api/ready</code> need none.
        </p>
        <MetricsToken status={metrics} createAction={createMetricsTokenAction} revokeAction={revokeMetricsTokenAction} />
      </section>
    </div>
  );
}
