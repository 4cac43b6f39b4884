/**
 * HTTP latency by route: the one wrapper `route()` puts around every handler it makes. The
 * `route` label is the request's pattern (`/api/runs/[id]`), never its URL.
 */
import { methodLabel } from "./definitions.ts";
import { observe, secondsSince } from "./registry.ts";
import { LabelCap, routePattern, type RouteParams } from "./route-pattern.ts";

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

const g = globalThis as typeof globalThis & { __levhubRouteLabels?: LabelCap };

/**
 * `handler`, timed to its Response (a stream's headers, not its end). The handler made by
 * `route()` answers every error with a Response, so nothing thrown goes unmeasured there.
 */
export function timedRoute<C extends { params?: Promise<RouteParams> }>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    const t0 = performance.now();
    const res = await handler(req, ctx);
    const seconds = secondsSince(t0);
    const params = await Promise.resolve(ctx?.params).catch(() => undefined);
    g.__levhubRouteLabels ??= new LabelCap();
    const route = g.__levhubRouteLabels.label(routePattern(new URL(req.url).pathname, params ?? {}));
    observe("httpDuration", { method: methodLabel(req.method), route, code: String(res.status) }, seconds);
    return res;
  };
}
