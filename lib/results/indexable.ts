/**
 * What of a stored document goes into the results index. Documents are hostile: PostgreSQL's jsonb
 * cannot hold a NUL character or a lone UTF-16 surrogate (MongoDB can), so those become U+FFFD in
 * the index copy; MongoDB keeps the original. Field names are kept as they are (dots, `$`, spaces
 * included) and only ever rendered escaped. Values nested deeper than MongoDB's own limit (100
 * levels) are cut to a marker string. Pure.
 */

export const MAX_INDEX_DEPTH = 100;
export const TOO_DEEP = `[nested deeper than ${MAX_INDEX_DEPTH} levels]`;

// eslint-disable-next-line no-control-regex -- NUL is exactly what jsonb refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}

/** A copy of `value` that jsonb accepts (iterative, so a deeply nested document cannot blow the stack here). */
export function indexableValue(value: unknown): unknown {
  const root = { v: value };
  const stack: Array<[Record<string, unknown> | unknown[], string | number, number]> = [[root, "v", 0]];
  const out = { v: undefined as unknown };
  const targets: Array<Record<string, unknown> | unknown[]> = [out];
  while (stack.length) {
    const [src, key, depth] = stack.pop()!;
    const target = targets.pop()!;
    const v = (src as Record<string, unknown>)[key as string];
    const put = (x: unknown) => {
      if (Array.isArray(target)) target[key as number] = x;
      else target[typeof key === "string" ? clean(key) : key] = x;
    };
    if (typeof v === "string") put(clean(v));
    else if (v && typeof v === "object" && depth >= MAX_INDEX_DEPTH) put(TOO_DEEP);
    else if (Array.isArray(v)) {
      const arr: unknown[] = new Array(v.length);
      put(arr);
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push([v, i, depth + 1]);
        targets.push(arr);
      }
    } else if (v && typeof v === "object" && !(v instanceof Date)) {
      const obj: Record<string, unknown> = {};
      put(obj);
      for (const k of Object.keys(v).reverse()) {
        stack.push([v as Record<string, unknown>, k, depth + 1]);
        targets.push(obj);
      }
    } else if (v instanceof Date) put(v.toISOString());
    else if (typeof v === "number" && !Number.isFinite(v)) put(null);
    else if (typeof v === "bigint") put(v.toString());
    else if (v === undefined || typeof v === "function" || typeof v === "symbol") put(null);
    else put(v);
  }
  return out.v;
}

/** The jsonb text of a document for the index and its size in bytes. */
export function indexableJson(doc: Record<string, unknown>): { json: string; bytes: number } {
  const json = JSON.stringify(indexableValue(doc));
  return { json, bytes: Buffer.byteLength(json) };
}
