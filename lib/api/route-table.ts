/**
 * Which methods each route handler's path (`/api/…`, `/metrics`) answers, read from the route files themselves (the methods a
 * `route.ts` exports are the ones it declares with `route()`; `app/api/openapi.json/openapi.int.test.ts`
 * checks the two agree). The web server (scripts/serve.ts) and the test route server answer every
 * other method with 405 and an `Allow` header before Next.js sees the request: Next answers an
 * undeclared PUT/DELETE/PATCH 405 without `Allow`, a method it does not know (QUERY) 400, and
 * TRACE 500 (undici refuses to build a Request for it).
 *
 * No "server-only" here: the web server imports it under plain node.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { AppError, httpStatus } from "../errors.ts";

/** The methods a route module may export (what Next.js dispatches to). */
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The exported names of a module's source: `export const|function|async function X` and `export { a as X }`. */
export function exportedNames(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/^export\s+(?:async\s+)?(?:const|let|function)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  for (const m of source.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

export interface ApiRoute {
  /** the folders under app: `["api", "runs", "[id]", "cancel"]`, `["metrics"]` */
  segments: string[];
  /** the methods the file exports */
  methods: string[];
}

/** Every `app/**\/route.ts` under `root` (the API and the few handlers outside it, like /metrics) with its exported methods. */
export function apiRouteTable(root: string): ApiRoute[] {
  const out: ApiRoute[] = [];
  const visit = (dir: string, segments: string[]) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) visit(full, [...segments, name]);
      else if (/^route\.(ts|js)$/.test(name)) {
        const methods = exportedNames(readFileSync(full, "utf8")).filter((n) => (ROUTE_METHODS as readonly string[]).includes(n));
        out.push({ segments, methods });
      }
    }
  };
  visit(path.join(root, "app"), []);
  return out;
}

const dynamic = (s: string) => /^\[[^\].]+\]$/.test(s);
const catchAll = (s: string) => /^\[\.\.\.[^\]]+\]$/.test(s);

/** Whether `segments` matches the path's parts (a catch-all takes one or more parts). */
function matches(segments: string[], parts: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (catchAll(s)) return parts.length > i;
    if (i >= parts.length) return false;
    if (!dynamic(s) && s !== parts[i]) return false;
  }
  return segments.length === parts.length;
}

/** Next's order: more static segments first, a catch-all last. */
const rank = (r: ApiRoute) => r.segments.filter((s) => !dynamic(s) && !catchAll(s)).length * 2 - (r.segments.some(catchAll) ? 1 : 0);

/** The route handler serving `pathname` (`/api/runs/x/cancel`, `/metrics`), or null when none does (a page, or Next's 404). */
export function matchApiRoute(table: readonly ApiRoute[], pathname: string): ApiRoute | null {
  const parts = pathname.split("/").filter(Boolean);
  const candidates = table.filter((r) => matches(r.segments, parts));
  candidates.sort((a, b) => rank(b) - rank(a));
  return candidates[0] ?? null;
}

/** What a route answers: its methods, HEAD where it has GET (Next runs GET for it) and OPTIONS (Next answers it). */
export function allowedMethods(route: ApiRoute): string[] {
  const allowed = new Set(route.methods);
  if (allowed.has("GET")) allowed.add("HEAD");
  allowed.add("OPTIONS");
  return [...allowed].sort();
}

export interface MethodRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The 405 for a method `pathname`'s route does not declare, in the one error shape with `Allow`;
 * null when the method is declared or no route serves the path.
 */
export function methodRefusal(table: readonly ApiRoute[], method: string, pathname: string): MethodRefusal | null {
  const route = matchApiRoute(table, pathname);
  if (!route) return null;
  const allowed = allowedMethods(route);
  if (allowed.includes(method.toUpperCase())) return null;
  const allow = allowed.join(", ");
  const error = new AppError("method_not_allowed", `${method.toUpperCase()} is not a method of this route; it answers ${allow}`);
  return { status: httpStatus(error.code), headers: { allow, "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify({ error: error.toJSON() }) };
}
