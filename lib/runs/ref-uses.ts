/**
 * Where the typed references in a run's arguments stand (`{"$lev": "<kind>", "id"}`,
 * runner/src/refs.ts): pure, so what a run will carry is decided by arg-refs.ts from this alone.
 */
import { collectRefs, REF_KEY, TYPED_REF_KINDS, type TypedRefKind } from "../../runner/src/refs.ts";

/** One reference as the arguments hold it: its id and the parameter it is in. */
export interface RefUse {
  id: string;
  param: string;
}

/** Every typed reference in the (validated) arguments, by kind, each with its parameter. */
export function refUses(args: Record<string, unknown>): { [K in TypedRefKind]: RefUse[] } {
  const out = Object.fromEntries(TYPED_REF_KINDS.map((k) => [k, [] as RefUse[]])) as { [K in TypedRefKind]: RefUse[] };
  for (const [param, value] of Object.entries(args)) {
    for (const ref of collectRefs(value)) out[ref[REF_KEY]].push({ id: ref.id, param });
  }
  return out;
}
