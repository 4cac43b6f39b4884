import "server-only";
import { db } from "../platform/db.ts";
import { collectRefs, SecretMasker } from "../../runner/src/index.ts";
import { secretValues } from "./values.ts";

/**
 * The masker of a run's secrets on the hub (what a worker reports and stores is masked again
 * here), kept for a few minutes per run so a report does not decrypt them each time. A run whose
 * secrets cannot be read any more (deleted) is masked with those it still has.
 */
const TTL_MS = 5 * 60_000;
const MAX_RUNS = 500;
const cache = new Map<string, { masker: SecretMasker; at: number }>();
const NONE = new SecretMasker([]);

export async function runMasker(runId: string, args?: unknown): Promise<SecretMasker> {
  const hit = cache.get(runId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.masker;
  const runArgs = args ?? (await db().run.findUnique({ where: { id: runId }, select: { args: true } }))?.args;
  const ids = collectRefs(runArgs).filter((r) => r.$lev === "secret").map((r) => r.id);
  let masker = NONE;
  if (ids.length) {
    const values = [];
    for (const id of ids) {
      const v = await secretValues([id]).catch(() => null);
      if (v) values.push(...v.values());
    }
    masker = new SecretMasker(values.map((v) => ({ name: v.name, value: v.value })));
  }
  if (cache.size >= MAX_RUNS) cache.delete(cache.keys().next().value!);
  cache.set(runId, { masker, at: Date.now() });
  return masker;
}
