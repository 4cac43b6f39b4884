/**
 * Paths into a stored document, in the grammar of `annot.Keys` (fields separated by '.', lists as
 * 'name[]'), and how a mapping reads them (pure). An *element* path ends in a list (`hosts[]`,
 * `hosts[].ports[]`) and names one item at a time; a *field* path ends in a field (`hosts[].ip`).
 *
 * A mapping walks the elements of one list path; each step binds the list paths on its way to
 * the item it is at (`hosts[]` → `hosts[3]`, `hosts[].ports[]` → `hosts[3].ports[1]`). A field path
 * is read from the deepest list it shares with those bindings: next to `hosts[3].ports[1]`,
 * `hosts[].ip` is host 3's address and `hosts[].ports[].port` port 1's number. Through any other
 * list a path reads every item, as MongoDB does (`hosts[].hostnames` of a host is all its names).
 */

/** One part of a path: a field name, and whether it names a list whose items come next. */
export interface PathPart {
  name: string;
  list: boolean;
}

const SEGMENT = /^[^.[\]\s{}]{1,100}$/;
export const MAX_PATH_CHARS = 200;

/** The parts of a path, or null when it breaks the grammar for its kind. */
export function parsePath(path: unknown, kind: "element" | "field"): PathPart[] | null {
  if (typeof path !== "string" || !path || path.length > MAX_PATH_CHARS) return null;
  const parts = path.split(".").map((p) => (p.endsWith("[]") ? { name: p.slice(0, -2), list: true } : { name: p, list: false }));
  if (parts.some((p) => !SEGMENT.test(p.name))) return null;
  return parts[parts.length - 1].list === (kind === "element") ? parts : null;
}

/** `hosts[].ports[].port` → ["hosts[]", "hosts[].ports[]"]: the list paths along a path. */
export function listPrefixes(path: string): string[] {
  const out: string[] = [];
  const parts = path.split(".");
  parts.forEach((p, i) => {
    if (p.endsWith("[]")) out.push(parts.slice(0, i + 1).join("."));
  });
  return out;
}

/** Whether `path` lies inside the items of `element` (or anywhere, for the document: null). */
export function isUnder(path: string, element: string | null): boolean {
  return element === null || path.startsWith(`${element}.`);
}

/** An item a mapping is at: the list paths bound on the way, each to its item and where it is. */
export interface Context {
  /** the document */
  root: unknown;
  /** list path (`hosts[]`) → the item and its concrete path (`hosts[3]`) */
  bound: ReadonlyMap<string, { item: unknown; at: string }>;
}

export function rootContext(doc: unknown): Context {
  return { root: doc, bound: new Map() };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field of an object (own fields only: a document's `__proto__` is data, not a prototype). */
function field(v: unknown, name: string): unknown {
  return isObject(v) && Object.hasOwn(v, name) ? v[name] : undefined;
}

/** Where reading `path` starts in a context: the deepest bound list on it, and the parts after it. */
function start(path: string, ctx: Context): { value: unknown; at: string; rest: PathPart[] } {
  const parts = parsePath(path, "field") ?? parsePath(path, "element") ?? [];
  const prefixes = listPrefixes(path);
  for (let i = prefixes.length - 1; i >= 0; i--) {
    const hit = ctx.bound.get(prefixes[i]);
    if (hit) return { value: hit.item, at: hit.at, rest: parts.slice(prefixes[i].split(".").length) };
  }
  return { value: ctx.root, at: "", rest: parts };
}

const join = (at: string, name: string) => (at ? `${at}.${name}` : name);

/** Counts the work a mapping does, so a hostile document cannot make it walk forever. */
export class Budget {
  visited = 0;
  constructor(readonly max: number) {}
  spend(n = 1): boolean {
    this.visited += n;
    return this.visited <= this.max;
  }
}

/**
 * Every value a path reads in a context, with where it was: through lists it reads every item
 * (a list at the end is spread into its items, one level). Missing fields read nothing.
 */
export function readValues(path: string, ctx: Context, budget?: Budget): { value: unknown; at: string }[] {
  const { value, at, rest } = start(path, ctx);
  let current: { value: unknown; at: string }[] = [{ value, at }];
  for (const part of rest) {
    const next: { value: unknown; at: string }[] = [];
    for (const c of current) {
      const items = Array.isArray(c.value) ? c.value.map((v, i) => ({ value: v, at: `${c.at}[${i}]` })) : [c];
      for (const it of items) {
        if (budget && !budget.spend()) return next;
        const v = field(it.value, part.name);
        if (v !== undefined) next.push({ value: v, at: join(it.at, part.name) });
      }
    }
    current = next;
    if (!current.length) return [];
  }
  const out: { value: unknown; at: string }[] = [];
  for (const c of current) {
    if (Array.isArray(c.value)) c.value.forEach((v, i) => out.push({ value: v, at: `${c.at}[${i}]` }));
    else out.push(c);
  }
  return out;
}

/** The value at a path as it stands (a list stays a list), with where it is: evidence is kept whole. */
export function readWhole(path: string, ctx: Context): { value: unknown; at: string } | null {
  const bound = ctx.bound.get(path);
  if (bound) return { value: bound.item, at: bound.at };
  const { value, at, rest } = start(path, ctx);
  let current = { value, at };
  for (const part of rest) {
    if (Array.isArray(current.value)) {
      // through a list no binding chose: every item's field, as one value
      const values = readValues(part.list ? `${part.name}[]` : part.name, { root: current.value, bound: new Map() });
      return values.length ? { value: values.map((v) => v.value), at: join(current.at, part.name) } : null;
    }
    const v = field(current.value, part.name);
    if (v === undefined) return null;
    current = { value: v, at: join(current.at, part.name) };
  }
  return current;
}

/**
 * The items of an element path, each as a context binding every list on its way (the ones already
 * bound in `ctx` stay as they are). A list met where the path names a plain field is walked too.
 */
export function* elements(path: string, ctx: Context, budget: Budget): Generator<Context> {
  const parts = parsePath(path, "element");
  if (!parts) return;
  const prefixes = listPrefixes(path);
  // start from the deepest list of the path already bound
  let from = 0;
  let value: unknown = ctx.root;
  let at = "";
  for (let i = prefixes.length - 1; i >= 0; i--) {
    const hit = ctx.bound.get(prefixes[i]);
    if (hit) {
      from = prefixes[i].split(".").length;
      value = hit.item;
      at = hit.at;
      break;
    }
  }
  yield* walk(parts, from, value, at, ctx, budget);
}

function* walk(parts: PathPart[], i: number, value: unknown, at: string, ctx: Context, budget: Budget): Generator<Context> {
  if (i === parts.length) return;
  const part = parts[i];
  const items: { value: unknown; at: string }[] = [];
  const holders = Array.isArray(value) ? value.map((v, k) => ({ value: v, at: `${at}[${k}]` })) : [{ value, at }];
  for (const h of holders) {
    const v = field(h.value, part.name);
    if (v !== undefined) items.push({ value: v, at: join(h.at, part.name) });
  }
  for (const it of items) {
    if (!part.list) {
      yield* walk(parts, i + 1, it.value, it.at, ctx, budget);
      continue;
    }
    if (!Array.isArray(it.value)) continue;
    const listPath = parts
      .slice(0, i + 1)
      .map((p) => (p.list ? `${p.name}[]` : p.name))
      .join(".");
    for (let k = 0; k < it.value.length; k++) {
      if (!budget.spend()) return;
      const item = it.value[k];
      const itemAt = `${it.at}[${k}]`;
      if (i === parts.length - 1) {
        const bound = new Map(ctx.bound);
        bound.set(listPath, { item, at: itemAt });
        yield { root: ctx.root, bound };
      } else {
        const bound = new Map(ctx.bound);
        bound.set(listPath, { item, at: itemAt });
        yield* walk(parts, i + 1, item, itemAt, { root: ctx.root, bound }, budget);
      }
    }
  }
}
