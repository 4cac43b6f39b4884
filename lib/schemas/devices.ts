/** Requests about a user's devices (HTTP API and server actions). */
import { z } from "zod";

/** A device's name: what `lev run --device <name>` and the run form use; unique per owner. */
export const deviceNameSchema = z
  .string()
  .trim()
  .min(1, "give the device a name")
  .max(64, "at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-', starting with a letter or digit");

export const deviceIdSchema = z.string().min(1).max(64);
export const deviceParamsSchema = z.object({ id: deviceIdSchema });

/** `POST /api/devices` and the "Add a device" form */
export const createDeviceSchema = z.object({ name: deviceNameSchema }).strict();
/** `PATCH /api/devices/{id}` and the rename form */
export const renameDeviceSchema = z.object({ name: deviceNameSchema }).strict();
export const renameDeviceInputSchema = z.object({ deviceId: deviceIdSchema, name: deviceNameSchema });
export const revokeDeviceInputSchema = z.object({ deviceId: deviceIdSchema });

/** Admin → Workers: runs granted host networking only on their owners' devices (a checkbox: absent = off) */
export const deviceRulesSchema = z.object({
  hostNetworkOnDevicesOnly: z
    .enum(["true", "false"], "on or off")
    .optional()
    .transform((v) => v === "true"),
});
