"use server";

import { revalidatePath } from "next/cache";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { revokeWorkerCredential } from "../../lib/queue/credentials.ts";
import { revokeWorkerCredentialSchema } from "../../lib/schemas/worker.ts";

const revoke = adminAction(revokeWorkerCredentialSchema, (input, viewer) => revokeWorkerCredential(viewer.id, input.id));

/** Revokes at once: the credential's workers are refused from their next request. */
export async function revokeWorkerCredentialAction(data: FormData): Promise<void> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) throw new Error(res.error);
  revalidatePath("/admin/workers");
}
