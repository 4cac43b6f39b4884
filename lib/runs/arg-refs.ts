import "server-only";
/**
 * Typed references in a run's arguments (`{"$lev": "<kind>", "id"}`, runner/src/refs.ts) resolved
 * the one way for runs, re-runs and saved scans (resolveRunTarget): each reference, wherever it
 * stands in a parameter's value, is looked up by its kind's resolver as the viewer may see it in the
 * run's project, and what the run will carry is returned by kind. A reference the viewer may not
 * see reads exactly like one that does not exist (404, naming the parameter); one they see but may
 * not use (a secret of another project, or for other roles) is refused with its reason (422). A
 * kind added to TYPED_REF_KINDS must add its resolver here: the record below does not compile
 * without it.
 */
import type { TypedRefKind } from "../../runner/src/refs.ts";
import { AppError, invalidFields } from "../errors.ts";
import { referenceableFiles } from "../files/uploads.ts";
import { usableSecrets } from "../secrets/bind.ts";
import type { Viewer } from "../types.ts";
import { refUses, type RefUse } from "./ref-uses.ts";
import { argField } from "./target-args.ts";

/** What a run (or scan) carries for each kind: the ids of the things it references. */
export type CarriedRefs = { [K in TypedRefKind]: string[] };

/** Where the references are used: the run's (or scan's) project. */
export interface RefContext {
  projectId: string;
}

/**
 * What a resolver found among `uses`: the ids the viewer may reference, and, by id, why one they
 * may see is still refused; any other id reads as missing.
 */
export interface Resolved {
  usable: Set<string>;
  refused?: Map<string, string>;
}

type Resolver = (viewer: Viewer, uses: RefUse[], ctx: RefContext) => Promise<Resolved>;

const RESOLVERS: { [K in TypedRefKind]: { what: string; resolve: Resolver } } = {
  file: {
    what: "file",
    resolve: async (viewer, uses) => ({ usable: new Set((await referenceableFiles(viewer, uses.map((u) => u.id))).keys()) }),
  },
  secret: {
    what: "secret",
    // lib/access/secret-use.ts decides, in the run's project
    resolve: (viewer, uses, ctx) => usableSecrets(viewer, uses.map((u) => u.id), ctx.projectId),
  },
};

const KINDS = Object.keys(RESOLVERS) as TypedRefKind[];

/**
 * What the run carries for the references in `args`; any reference the viewer may not use refuses
 * the whole run before anything is made: 404 when one is missing (or not the viewer's to see),
 * else 422 with each refusal's reason; every such parameter named.
 */
export async function resolveArgRefs(viewer: Viewer, args: Record<string, unknown>, ctx: RefContext): Promise<CarriedRefs> {
  const uses = refUses(args);
  const carried = {} as CarriedRefs;
  const missing: Record<string, string> = {};
  const refused: Record<string, string> = {};
  for (const kind of KINDS) {
    const { what, resolve } = RESOLVERS[kind];
    const found: Resolved = uses[kind].length ? await resolve(viewer, uses[kind], ctx) : { usable: new Set() };
    for (const u of uses[kind]) {
      if (found.usable.has(u.id)) continue;
      const why = found.refused?.get(u.id);
      if (why) refused[argField(u.param)] = why;
      else missing[argField(u.param)] = `no such ${what}`;
    }
    carried[kind] = [...found.usable];
  }
  if (Object.keys(missing).length) {
    const said = Object.entries(missing).map(([k, v]) => `${k}: ${v}`).join("; ");
    throw new AppError("not_found", `${said} (or none you may use)`, { fieldErrors: missing });
  }
  if (Object.keys(refused).length) throw invalidFields(refused);
  return carried;
}
