/**
 * Key paths: how a package says which fields identify a document and the items of its arrays,
 * per schema (`annot.Keys(...)`, recorded in the manifest as `keys: [{schema, paths, ignore?}]`;
 * `ignore` is in `ignore.ts`).
 *
 *   "target"                   the document's key (several such paths: a composite key)
 *   "hosts[].ip"               items of `hosts` are the same host when their `ip` is
 *   "hosts[].ports[].port"     items of a host's `ports` are the same port when their `port` is
 *
 * The part before the last `[]` names the array, the rest the field (may be nested: `a[].b.c`).
 * Without a key, documents and array items are matched by their content.
 */

export interface SchemaKeys {
  schema: string;
  paths: string[];
  /** fields a comparison leaves out (`hosts[].os`) */
  ignore?: string[];
}

export interface KeyPlan {
  /** fields identifying a document (none: matched by content) */
  document: string[][];
  /** by array path (`hosts[]`, `hosts[].ports[]`): fields identifying an item */
  arrays: Map<string, string[][]>;
}

const SEGMENT = /^[^.[\]\s]{1,100}$/;
export const MAX_KEY_PATHS = 32;
const MAX_PATH_LENGTH = 200;

/**
 * Every problem with a list of key paths (or, with `what`, of ignored fields: the same grammar), as
 * readable lines (empty: the paths are good).
 */
export function keyPathProblems(paths: unknown, what: "key path" | "ignored field" = "key path"): string[] {
  if (!Array.isArray(paths)) return [`${what}s are a list of strings`];
  if (paths.length > MAX_KEY_PATHS) return [`at most ${MAX_KEY_PATHS} ${what}s per schema`];
  const problems: string[] = [];
  for (const p of paths) {
    if (typeof p !== "string" || !p || p.length > MAX_PATH_LENGTH) {
      problems.push(`${what} ${JSON.stringify(p)}: a non-empty string of at most ${MAX_PATH_LENGTH} characters`);
      continue;
    }
    const parts = p.split(".");
    const bad = parts.find((s, i) => !SEGMENT.test(s.endsWith("[]") ? s.slice(0, -2) : s) || (i === parts.length - 1 && s.endsWith("[]")));
    if (bad !== undefined) problems.push(`${what} '${p}': write fields separated by '.', arrays as 'name[]', ending in a field ('hosts[].ports[].port')`);
  }
  return problems;
}

/** The plan for a list of key paths already checked by keyPathProblems (a bad path is skipped). */
export function keyPlan(paths: readonly string[]): KeyPlan {
  const plan: KeyPlan = { document: [], arrays: new Map() };
  for (const p of paths) {
    if (keyPathProblems([p]).length) continue;
    const parts = p.split(".");
    let last = -1;
    parts.forEach((s, i) => {
      if (s.endsWith("[]")) last = i;
    });
    const field = parts.slice(last + 1);
    if (last < 0) {
      plan.document.push(field);
      continue;
    }
    const array = parts.slice(0, last + 1).join(".");
    plan.arrays.set(array, [...(plan.arrays.get(array) ?? []), field]);
  }
  return plan;
}

/** The schema a collection holds: its last `|` segment (`demo1|szczecin/nmap_python.port_os@1.0`). */
export function collectionSchema(coll: string): string {
  return coll.slice(coll.lastIndexOf("|") + 1);
}

/**
 * The declaration for a collection's schema: an exact one first, else one written without a
 * version (`szczecin/nmap_python.port_os` covers every `@x.y`).
 */
export function declarationFor(coll: string, declared: readonly SchemaKeys[]): SchemaKeys | undefined {
  const schema = collectionSchema(coll);
  const exact = declared.find((d) => d.schema === schema);
  if (exact) return exact;
  const bare = schema.includes("@") ? schema.slice(0, schema.lastIndexOf("@")) : schema;
  return declared.find((d) => d.schema === bare);
}

/** The key paths declared for a collection's schema (see declarationFor). */
export function keyPathsFor(coll: string, declared: readonly SchemaKeys[]): string[] {
  return declarationFor(coll, declared)?.paths ?? [];
}
