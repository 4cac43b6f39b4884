"use server";

import { revalidatePath } from "next/cache";
import type { RenameDeviceState } from "../../components/device-manager.tsx";
import type { CreateSecretState } from "../../components/secret-manager.tsx";
import type { DeviceRulesState } from "../../components/device-rules-form.tsx";
import { adminAction, problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { createDevice, renameDevice, revokeDevice } from "../../lib/devices/devices.ts";
import { setDeviceRules } from "../../lib/devices/rules.ts";
import { createDeviceSchema, deviceRulesSchema, renameDeviceInputSchema, revokeDeviceInputSchema } from "../../lib/schemas/devices.ts";

const create = safeAction(createDeviceSchema, (input, viewer) => createDevice(viewer, input.name));
const rename = safeAction(renameDeviceInputSchema, (input, viewer) => renameDevice(viewer, input.deviceId, input.name));
const revoke = safeAction(revokeDeviceInputSchema, (input, viewer) => revokeDevice(viewer, input.deviceId));
const setRules = adminAction(deviceRulesSchema, (input, viewer) => setDeviceRules(viewer, input));

/** Settings → My devices: adds a device; its agent token is in the answer, once. */
export async function addDeviceAction(_prev: CreateSecretState, data: FormData): Promise<CreateSecretState> {
  const res = await create({ name: data.get("name") ?? "" });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/settings/devices");
  return { status: "created", name: res.data.item.name, secret: res.data.token };
}

export async function renameDeviceAction(_prev: RenameDeviceState, data: FormData): Promise<RenameDeviceState> {
  const res = await rename({ deviceId: data.get("deviceId") ?? "", name: data.get("name") ?? "" });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.name ?? res.error };
  revalidatePath("/settings/devices");
  return { status: "saved", message: null };
}

/** Revokes at once: the agent's next request is refused and the device's runs end failed. */
export async function revokeDeviceAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revoke({ deviceId: data.get("deviceId") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/settings/devices");
  return { problem: null };
}

/** Admin → Workers: runs granted host networking only on their owners' devices; how long runs wait for a device. */
export async function setDeviceRulesAction(_prev: DeviceRulesState, data: FormData): Promise<DeviceRulesState> {
  const on = data.get("hostNetworkOnDevicesOnly");
  const wait = data.get("deviceWaitMinutes");
  const res = await setRules({ ...(on === null ? {} : { hostNetworkOnDevicesOnly: on }), ...(wait === null || wait === "" ? {} : { deviceWaitMinutes: wait }) });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.deviceWaitMinutes ?? res.error, errors: res.fieldErrors ?? {} };
  revalidatePath("/admin/workers");
  return { status: "saved", ...res.data };
}
