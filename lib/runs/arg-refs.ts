import "server-only";
/**
 * Typed references in a run's arguments (`{"$lev": "<kind>", "id"}`, runner/src/refs.ts) resolved
 * the one way for runs, re-runs and saved scans (resolveRunTarget): each reference, wherever it
 * stands in a parameter's value, is looked up by its kind's resolver as the viewer may see it, and
 * what the run will carry is returned by kind. A reference the viewer may not use reads exactly
 * like one that does not exist (404, naming the parameter). A kind added to TYPED_REF_KINDS must
 * add its resolver here: the record below does not compile without it.
 */
import type { TypedRefKind } from "../../runner/src/refs.ts";
import { AppError } from "../errors.ts";
import { referenceableFiles } from "../files/uploads.ts";
import type { Viewer } from "../types.ts";
import { refUses, type RefUse } from "./ref-uses.ts";
import { argField } from "./target-args.ts";

/** What a run (or scan) carries for each kind: the ids of the things it references. */
export type CarriedRefs = { [K in TypedRefKind]: string[] };

/** A resolver: the ids among `uses` the viewer may reference (the others are refused by the caller). */
type Resolver = (viewer: Viewer, uses: RefUse[]) => Promise<Set<string>>;

const RESOLVERS: { [K in TypedRefKind]: { what: string; resolve: Resolver } } = {
  file: {
    what: "file",
    resolve: async (viewer, uses) => new Set((await referenceableFiles(viewer, uses.map((u) => u.id))).keys()),
  },
};

const KINDS = Object.keys(RESOLVERS) as TypedRefKind[];

/**
 * What the run carries for the references in `args`; any reference the viewer may not use refuses
 * the whole run (404, every such parameter named) before anything is made.
 */
export async function resolveArgRefs(viewer: Viewer, args: Record<string, unknown>): Promise<CarriedRefs> {
  const uses = refUses(args);
  const carried = {} as CarriedRefs;
  const missing: Record<string, string> = {};
  for (const kind of KINDS) {
    const { what, resolve } = RESOLVERS[kind];
    const found = uses[kind].length ? await resolve(viewer, uses[kind]) : new Set<string>();
    for (const u of uses[kind]) if (!found.has(u.id)) missing[argField(u.param)] = `no such ${what}`;
    carried[kind] = [...found];
  }
  if (Object.keys(missing).length) {
    const said = Object.entries(missing).map(([k, v]) => `${k}: ${v}`).join("; ");
    throw new AppError("not_found", `${said} (or none you may use)`, { fieldErrors: missing });
  }
  return carried;
}
