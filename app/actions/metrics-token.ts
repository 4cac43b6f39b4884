"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { MetricsTokenState } from "../../components/metrics-token.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { createMetricsToken, revokeMetricsToken } from "../../lib/metrics/token.ts";

const create = adminAction(z.object({}), (_input, viewer) => createMetricsToken(viewer.id));
const revoke = adminAction(z.object({}), (_input, viewer) => revokeMetricsToken(viewer.id));

/** A new metrics token for Prometheus (shown once); the one before it stops working. */
export async function createMetricsTokenAction(_prev: MetricsTokenState, _data: FormData): Promise<MetricsTokenState> {
  const res = await create({});
  if (!res.ok) return { status: "error", message: res.error };
  revalidatePath("/admin/workers");
  return { status: "created", token: res.data.token };
}

/** Revokes the admin-created metrics token at once (LEVHUB_METRICS_TOKEN, set by the operator, stays). */
export async function revokeMetricsTokenAction(_prev: MetricsTokenState, _data: FormData): Promise<MetricsTokenState> {
  const res = await revoke({});
  if (!res.ok) return { status: "error", message: res.error };
  revalidatePath("/admin/workers");
  return { status: "revoked" };
}
