import { route } from "../../../../lib/api/route.ts";
import { listDevices, renameDevice, revokeDevice } from "../../../../lib/devices/devices.ts";
import { notFound } from "../../../../lib/errors.ts";
import { deviceParamsSchema, renameDeviceSchema } from "../../../../lib/schemas/devices.ts";
import { deviceViewSchema, removedSchema } from "../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** One of the caller's devices; someone else's is 404. */
export const GET = route({ access: "user", scope: "read", summary: "one of my devices", params: deviceParamsSchema, response: deviceViewSchema }, async ({ viewer, params }) => {
  const [device] = await listDevices(viewer, params.id);
  if (!device) throw notFound("device");
  return device;
});

/** Renames the device (runs sent to it keep going to it). */
export const PATCH = route(
  { access: "user", scope: "run", summary: "rename one of my devices", params: deviceParamsSchema, body: renameDeviceSchema, response: deviceViewSchema },
  async ({ viewer, params, body }) => renameDevice(viewer, params.id, body.name),
);

/** Revokes the device at once: its agent's next request is 401, its runs end failed ("device revoked"). */
export const DELETE = route({ access: "user", scope: "run", summary: "revoke one of my devices", params: deviceParamsSchema, response: removedSchema("revoked") }, async ({ viewer, params }) => {
  await revokeDevice(viewer, params.id);
  return { revoked: params.id };
});
