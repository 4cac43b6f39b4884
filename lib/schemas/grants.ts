import { z } from "zod";
import { GRANT_NETWORKS, GRANTABLE_CAPS, INTERFACE_NAME, type MacvlanSegment } from "../../runner/src/policy/policy.ts";

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function ipNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** An IPv4 CIDR as [first, last] address numbers, or null when it is not one. */
export function cidrRange(cidr: string): [number, number] | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || !IPV4.test(m[1]) || Number(m[2]) > 32) return null;
  const size = 2 ** (32 - Number(m[2]));
  const first = Math.floor(ipNumber(m[1]) / size) * size;
  return [first, first + size - 1];
}

// a form's empty field means "not set"
const optionalText = (inner: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), inner.optional());

/** A LAN segment as an admin enters it: the addresses Docker hands out lie inside its subnet. */
export const segmentInputSchema = z
  .object({
    parent: z.string().trim().regex(INTERFACE_NAME, "an interface name of the engine's machine, such as eth1"),
    subnet: z.string().trim().refine((s) => cidrRange(s) !== null, "the segment's IPv4 subnet, such as 192.168.1.0/24"),
    ipRange: optionalText(z.string().refine((s) => cidrRange(s) !== null, "an IPv4 range such as 192.168.1.240/28")),
    gateway: optionalText(z.string().regex(IPV4, "an IPv4 address such as 192.168.1.1")),
  })
  .superRefine((s, ctx) => {
    const net = cidrRange(s.subnet);
    if (!net) return;
    const range = s.ipRange ? cidrRange(s.ipRange) : null;
    if (range && (range[0] < net[0] || range[1] > net[1])) ctx.addIssue({ code: "custom", path: ["ipRange"], message: `must lie inside ${s.subnet}` });
    if (s.gateway && IPV4.test(s.gateway) && (ipNumber(s.gateway) < net[0] || ipNumber(s.gateway) > net[1])) {
      ctx.addIssue({ code: "custom", path: ["gateway"], message: `must lie inside ${s.subnet}` });
    }
  })
  .transform((s): MacvlanSegment => ({ parent: s.parent, subnet: s.subnet, ...(s.ipRange ? { ipRange: s.ipRange } : {}), ...(s.gateway ? { gateway: s.gateway } : {}) }));

/** A function a grant names: `server_port` or `nmap.alive` (a tool's mode). */
const QUALIFIED = /^[A-Za-z_]\w{0,127}(?:\.[A-Za-z_]\w{0,127})?$/;

/**
 * What an admin grants: to a whole namespace (no package) or to one package of it — what
 * `Cr(host=True)` gets (`network`), the capabilities its Crs may add, and the functions it covers
 * (`modes`; empty: every one but raw command-line modes).
 */
export const grantInputSchema = z
  .object({
    namespace: z.string().trim().regex(/^[A-Za-z_]\w{0,63}$/, "a namespace name"),
    // a form's empty field means the whole namespace
    package: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? null : v),
      z.string().trim().regex(/^[A-Za-z_]\w{0,127}$/, "a package name").nullish().transform((v) => v ?? null),
    ),
    network: z.enum(GRANT_NETWORKS),
    macvlan: segmentInputSchema.nullish().transform((v) => v ?? null),
    caps: z.array(z.enum(GRANTABLE_CAPS)).max(GRANTABLE_CAPS.length).transform((c) => GRANTABLE_CAPS.filter((x) => c.includes(x))),
    modes: z
      .array(z.string().trim().regex(QUALIFIED, "a function's name, such as nmap.alive or server_port"))
      .max(200, "at most 200 functions")
      .default([])
      .transform((m) => [...new Set(m)].sort()),
    note: z.string().trim().max(500).default(""),
  })
  .superRefine((g, ctx) => {
    if (g.network === "macvlan" && !g.macvlan) ctx.addIssue({ code: "custom", path: ["macvlan", "parent"], message: "a LAN segment needs its parent interface and subnet" });
  })
  // a segment belongs to a macvlan grant only
  .transform((g) => ({ ...g, macvlan: g.network === "macvlan" ? g.macvlan : null }));
export type GrantInput = z.input<typeof grantInputSchema>;
