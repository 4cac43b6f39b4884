/**
 * What makes two runs "the same scan" (pure): the same package, function and arguments. Re-run,
 * "since the previous run" and saved scans all use this one notion. Arguments compare as canonical
 * JSON (keys sorted at every depth), so `{a:1,b:2}` and `{b:2,a:1}` are the same configuration.
 */

export interface Configuration {
  /** `ns.name` */
  package: string;
  /** qualified function name (`greet.hi`) */
  function: string;
  args: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth; `undefined` members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  return a.package === b.package && a.function === b.function && canonicalJson(a.args ?? {}) === canonicalJson(b.args ?? {});
}
