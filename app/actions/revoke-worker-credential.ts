"use server";

import { revalidatePath } from "next/cache";
import { adminAction, problemOf, type ProblemState } from "../../lib/actions/safe-action.ts";
import { revokeWorkerCredential } from "../../lib/queue/credentials.ts";
import { revokeWorkerCredentialSchema } from "../../lib/schemas/worker.ts";

const revoke = adminAction(revokeWorkerCredentialSchema, (input, viewer) => revokeWorkerCredential(viewer.id, input.id));

/** Revokes at once: the credential's workers are refused from their next request. */
export async function revokeWorkerCredentialAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/admin/workers");
  return { problem: null };
}
