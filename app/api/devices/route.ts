import { z } from "zod";
import { route } from "../../../lib/api/route.ts";
import { createDevice, listDevices } from "../../../lib/devices/devices.ts";
import { createDeviceSchema } from "../../../lib/schemas/devices.ts";
import { deviceViewSchema, newDeviceSchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The caller's devices with their state (online, last seen, version, engine, capacity, running runs). */
export const GET = route({ access: "user", scope: "read", summary: "list my devices", response: z.array(deviceViewSchema) }, async ({ viewer }) => listDevices(viewer));

/** Adds a device; the answer carries its `ldv_…` token once (`lev agent --token …`). */
export const POST = route(
  { access: "user", scope: "run", summary: "add a device (its agent token is shown once)", body: createDeviceSchema, status: 201, response: newDeviceSchema },
  async ({ viewer, body }) => {
    const { item, token } = await createDevice(viewer, body.name);
    return { device: item, token };
  },
);
