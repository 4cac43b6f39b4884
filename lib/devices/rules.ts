import "server-only";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings, type HubSettings } from "../platform/settings.ts";
import type { DeviceRules } from "../schemas/devices.ts";
import type { Viewer } from "../types.ts";

/**
 * Admin → Workers: whether a run whose policy grants host networking must be sent to one of its
 * owner's devices (the hub's own engines never give a package the hub's network), and how long a
 * run sent to a device waits for it before it ends (DeviceTimeout, the janitor). Only these change;
 * the queue limits of the same settings section stay as they are.
 */
export async function setDeviceRules(admin: Viewer, rules: DeviceRules): Promise<Pick<HubSettings["queue"], "hostNetworkOnDevicesOnly" | "deviceWaitMinutes">> {
  const queue = (await getSettings()).queue;
  const next = await updateSettings({
    queue: { ...queue, hostNetworkOnDevicesOnly: rules.hostNetworkOnDevicesOnly, deviceWaitMinutes: rules.deviceWaitMinutes ?? queue.deviceWaitMinutes },
  });
  const { hostNetworkOnDevicesOnly, deviceWaitMinutes } = next.queue;
  await audit(admin.id, "settings.devices", null, { hostNetworkOnDevicesOnly, deviceWaitMinutes });
  return { hostNetworkOnDevicesOnly, deviceWaitMinutes };
}
