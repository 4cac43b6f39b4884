/** Requests about a user's devices (HTTP API and server actions). */
import { z } from "zod";
import { DEVICE_WAIT_MINUTES } from "../platform/settings.ts";

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

/**
 * Admin → Workers: runs granted host networking only on their owners' devices (a checkbox: absent =
 * off), and how long a run waits for its device (minutes; absent: unchanged)
 */
export const deviceRulesSchema = z.object({
  hostNetworkOnDevicesOnly: z
    .enum(["true", "false"], "on or off")
    .optional()
    .transform((v) => v === "true"),
  deviceWaitMinutes: z.coerce
    .number("a whole number of minutes")
    .int("a whole number of minutes")
    .min(DEVICE_WAIT_MINUTES.min, `at least ${DEVICE_WAIT_MINUTES.min} minute`)
    .max(DEVICE_WAIT_MINUTES.max, `at most ${DEVICE_WAIT_MINUTES.max} minutes (30 days)`)
    .optional(),
});
export type DeviceRules = z.output<typeof deviceRulesSchema>;
