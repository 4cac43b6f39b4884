import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { DeviceManager } from "../../../components/device-manager.tsx";
import { listDevices } from "../../../lib/devices/devices.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { hubPublicUrl } from "../../../lib/accounts/public-url.ts";
import { addDeviceAction, renameDeviceAction, revokeDeviceAction } from "../../actions/devices.ts";

export const metadata: Metadata = { title: "My devices" };

export default async function DevicesPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fsettings%2Fdevices");
  // what the agent on the user's machine connects to: the admin's public URL, else this browser's
  const [devices, url] = await Promise.all([listDevices(viewer), headers().then(hubPublicUrl)]);
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <div>
        <h1 className="h-page">My devices</h1>
        <p className="mt-1 text-sm text-zinc-600">
          A device is a machine of yours with Docker that runs your runs — from inside the network you were hired to test, with its own address — while the hub keeps the
          catalog, the forms and the results. Its agent connects out to the hub and takes only your runs sent to it (&ldquo;Run on&rdquo; in a run form, or{" "}
          <code>lev run … --device NAME</code>), under the same container rules and grants as the hub&apos;s workers.
        </p>
      </div>
      <DeviceManager devices={devices} hubUrl={url} addAction={addDeviceAction} renameAction={renameDeviceAction} revokeAction={revokeDeviceAction} />
    </div>
  );
}
