/**
 * The route pattern of a request (`/api/runs/[id]/events`), the HTTP metrics' `route` label:
 * rebuilt from the path and the dynamic segments Next.js matched, so a route handler needs no
 * declaration of its own path, and the label never carries an id. Pure.
 */

export type RouteParams = Record<string, string | string[] | undefined>;

/** The label of a request whose path could not be matched to its parameters. */
export const UNMATCHED_ROUTE = "unmatched";
/** The label once `MAX_ROUTE_LABELS` patterns were seen (a safety net; the app has far fewer routes). */
export const OTHER_ROUTE = "other";
export const MAX_ROUTE_LABELS = 200;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * `pathname` with each parameter's segment replaced by `[name]` (a catch-all's segments by
 * `[...name]`), walking the segments left to right and the parameters in the order Next.js gives
 * them (their order in the path). Segments are compared decoded, as Next.js decodes parameters.
 * A parameter whose value is not found leaves the request unmatched: a raw segment then never
 * reaches a label. When a static segment happens to equal a parameter's value, the pattern names
 * the wrong segment but is still made of static segments and parameter names only.
 */
export function routePattern(pathname: string, params: RouteParams): string {
  const segments = pathname.split("/").slice(1).map(decode);
  const entries = Object.entries(params).filter((e): e is [string, string | string[]] => e[1] !== undefined);
  const out: string[] = [];
  let next = 0;
  for (let i = 0; i < segments.length; i++) {
    const param = entries[next];
    if (param) {
      const [name, value] = param;
      if (Array.isArray(value)) {
        if (value.length > 0 && segments.slice(i).join("/") === value.join("/")) {
          out.push(`[...${name}]`);
          next++;
          break;
        }
      } else if (segments[i] === value) {
        out.push(`[${name}]`);
        next++;
        continue;
      }
    }
    out.push(segments[i]);
  }
  return next === entries.length ? `/${out.join("/")}` : UNMATCHED_ROUTE;
}

/** At most `max` distinct values; later new ones become `OTHER_ROUTE`. */
export class LabelCap {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_ROUTE_LABELS) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_ROUTE;
    this.seen.add(value);
    return value;
  }
}
