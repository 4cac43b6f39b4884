"use server";

import { revalidatePath } from "next/cache";
import type { CreateSecretState } from "../../components/secret-manager.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { createWorkerCredential } from "../../lib/queue/credentials.ts";
import { createWorkerCredentialSchema } from "../../lib/schemas/worker.ts";

const create = adminAction(createWorkerCredentialSchema, (input, viewer) => createWorkerCredential(viewer.id, input.name));

/** A worker credential for `npm run worker` on another Docker host; the token is shown once. */
export async function createWorkerCredentialAction(_prev: CreateSecretState, data: FormData): Promise<CreateSecretState> {
  const res = await create({ name: data.get("name") ?? "" });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/admin/workers");
  return { status: "created", secret: res.data.token, name: res.data.item.name };
}
