/**
 * Where sign-in may send the browser afterwards: only a path on the hub itself. Browsers read
 * `/\evil.example` and `//evil.example` as other hosts and drop tabs and newlines inside URLs,
 * and a path can be decoded again on its way to the router, so every decoding of the value must
 * pass the checks. Anything else becomes "/".
 */
const MAX_LENGTH = 2048;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function safePath(s: string, origin: string): boolean {
  if (!s.startsWith("/") || s.startsWith("//") || s.includes("\\") || CONTROL.test(s)) return false;
  try {
    return new URL(s, origin).origin === origin;
  } catch {
    return false;
  }
}

export function safeCallbackUrl(raw: string | null | undefined, origin: string): string {
  if (typeof raw !== "string" || !raw || raw.length > MAX_LENGTH) return "/";
  let hubOrigin: string;
  try {
    hubOrigin = new URL(origin).origin;
  } catch {
    return "/";
  }
  let candidate = raw;
  // an absolute URL on the hub's own origin (next-auth hands these around) becomes its path
  if (candidate.startsWith(`${hubOrigin}/`)) candidate = candidate.slice(hubOrigin.length);
  let layer = candidate;
  for (let i = 0; i < 4; i++) {
    if (!safePath(layer, hubOrigin)) return "/";
    let next: string;
    try {
      next = decodeURIComponent(layer);
    } catch {
      return "/";
    }
    if (next === layer) return candidate;
    layer = next;
  }
  // still changing after four decodings: nobody writes links like that
  return "/";
}

/** The hub's origin as next-auth knows it (NEXTAUTH_URL); pages use it for `safeCallbackUrl`. */
export function hubOrigin(): string {
  try {
    return new URL(process.env.NEXTAUTH_URL ?? "http://localhost").origin;
  } catch {
    return "http://localhost";
  }
}
