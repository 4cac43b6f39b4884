/**
 * What a mapped value must be before the asset inventory keeps it (pure). Documents come from
 * containers: every value is checked, normalised and capped here, and a value that is not what
 * its field says is refused with a readable reason, never stored as it came.
 */
import { isIP } from "node:net";
import { FINDING_SEVERITIES, SERVICE_PROTOCOLS, type FindingSeverity, type ServiceProtocol } from "../schemas/finding-vocabulary.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refuse = <T>(problem: string): Checked<T> => ({ ok: false, problem });

/** A value as a short quoted text for a problem message. */
export function shown(v: unknown): string {
  let text: string;
  try {
    text = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

// eslint-disable-next-line no-control-regex -- control characters are what one line of text must not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One line of storable text: control characters become spaces, lone surrogates U+FFFD, cut to `max`. */
export function oneLine(s: string, max: number): string {
  const t = s.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Text PostgreSQL can hold (no NUL, no lone surrogate), newlines kept, cut to `max` characters. */
export function storable(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- NUL is what PostgreSQL's text refuses
  const t = s.replace(LONE_SURROGATE, "\uFFFD").replace(/\u0000/g, "\uFFFD");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * An IP address in its one written form (IPv4 dotted, IPv6 as PostgreSQL's inet prints it:
 * lower case, zeros compressed; an IPv4-mapped IPv6 address is the IPv4 address). A scope
 * (`fe80::1%eth0`) or a prefix is refused: an asset is one address.
 */
export function parseAddress(v: unknown): Checked<string> {
  if (typeof v !== "string") return refuse(`${shown(v)} is not an IP address`);
  const s = v.trim();
  const kind = isIP(s);
  if (kind === 4) return ok(s.split(".").map((o) => String(Number(o))).join("."));
  if (kind !== 6 || s.includes("%")) return refuse(`${shown(v)} is not an IP address`);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  if (mapped && isIP(mapped[1]) === 4) return ok(mapped[1]);
  return ok(compressIpv6(s));
}

/** The text WHATWG URLs give an IPv6 address (RFC 5952: lower case, zeros compressed). */
function compressIpv6(s: string): string {
  return new URL(`http://[${s}]/`).hostname.slice(1, -1);
}

/** A port number 0–65535, written as a number or its digits (nuclei writes "443"). */
export function parsePort(v: unknown): Checked<number> {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,5}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? ok(n) : refuse(`port ${shown(v)} is not a number from 0 to 65535`);
}

/** tcp, udp or sctp (any case); absent is tcp. */
export function parseProtocol(v: unknown): Checked<ServiceProtocol> {
  if (v === undefined || v === null) return ok("tcp");
  const s = typeof v === "string" ? v.trim().toLowerCase() : "";
  return (SERVICE_PROTOCOLS as readonly string[]).includes(s) ? ok(s as ServiceProtocol) : refuse(`protocol ${shown(v)} is not one of ${SERVICE_PROTOCOLS.join(", ")}`);
}

/** A host name as the inventory keeps it: lower case, a DNS-like name of at most 253 characters. */
export function parseHostName(v: unknown): Checked<string> {
  if (typeof v !== "string") return refuse(`host name ${shown(v)} is not text`);
  const s = v.trim().toLowerCase().replace(/\.$/, "");
  return s && s.length <= 253 && /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/.test(s) && !s.includes("..") ? ok(s) : refuse(`host name ${shown(v)} is not a DNS name`);
}

export interface Origin {
  scheme: "http" | "https";
  /** a lower-case host name or an IP address (IPv6 without brackets) */
  host: string;
  port: number;
}

/** The web origin of a URL (`https://Example.com/login` → https, example.com, 443); http and https only. */
export function parseOrigin(v: unknown): Checked<Origin> {
  if (typeof v !== "string" || v.length > 2000) return refuse(`origin ${shown(v)} is not a URL`);
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    return refuse(`origin ${shown(v)} is not a URL`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") return refuse(`origin ${shown(v)}: only http and https URLs are web origins`);
  const bare = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const address = parseAddress(bare);
  const host = address.ok ? address : parseHostName(bare);
  if (!host.ok) return refuse(`origin ${shown(v)}: ${host.problem}`);
  return ok({ scheme, host: host.value, port: url.port ? Number(url.port) : scheme === "https" ? 443 : 80 });
}

/** `https://example.com:8443`, the default port left out; IPv6 hosts in brackets. */
export function originText(o: Origin): string {
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  const dflt = (o.scheme === "https" && o.port === 443) || (o.scheme === "http" && o.port === 80);
  return `${o.scheme}://${host}${dflt ? "" : `:${o.port}`}`;
}

/** A rendered severity through the mapping's translations (their words lower case) into the closed set. */
export function parseSeverity(rendered: string, severities: Readonly<Record<string, FindingSeverity>>): Checked<FindingSeverity> {
  const word = rendered.trim().toLowerCase();
  const sev = Object.hasOwn(severities, word) ? severities[word] : word;
  return (FINDING_SEVERITIES as readonly string[]).includes(sev) ? ok(sev as FindingSeverity) : refuse(`severity ${shown(rendered)} is none of ${FINDING_SEVERITIES.join(", ")} (a mapping's severities may translate it)`);
}

/** A scalar a condition or a template reads: text, a number, true/false or null. */
export type Scalar = string | number | boolean | null;
export const isScalar = (v: unknown): v is Scalar => v === null || ["string", "number", "boolean"].includes(typeof v);
