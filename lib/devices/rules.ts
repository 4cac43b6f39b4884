import "server-only";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/**
 * Admin → Workers: when on, a run whose policy grants host networking must be sent to one of its
 * owner's devices (the hub's own engines never give a package the hub's network). Only the rule
 * changes; the queue limits of the same settings section stay as they are.
 */
export async function setHostNetworkOnDevicesOnly(admin: Viewer, on: boolean): Promise<boolean> {
  const next = await updateSettings({ queue: { ...(await getSettings()).queue, hostNetworkOnDevicesOnly: on } });
  await audit(admin.id, "settings.devices", null, { hostNetworkOnDevicesOnly: on });
  return next.queue.hostNetworkOnDevicesOnly;
}
