/**
 * What one run may do, computed from admin grants and hub settings. Pure: the caller loads the
 * rows; this decides. The runner enforces the result at every task start.
 *
 * Grants follow published code: a grant covers functions of its package (the ones it names, or
 * every one but raw command-line modes), the run's own grant is what covers the function being
 * run, and a mode's grant reaches the runner only for modes defined in their own package, with the
 * images that version's manifest lists for them.
 */
import { definedIn, isRawCommandLine, modeBuilder } from "../../runner/src/manifest/modes.ts";
import type { ManifestFunction } from "../../runner/src/manifest/introspect.ts";
import {
  GRANT_NETWORKS,
  GRANTABLE_CAPS,
  grantsAnything,
  macvlanSegmentSchema,
  type GrantableCap,
  type GrantNetwork,
  type ModeGrant,
  type PackageGrant,
  type RunLimits,
  type RunPolicy,
} from "../../runner/src/policy/policy.ts";

/** A grant row as stored: namespace-wide when `packageId` is null, else for that one package. */
export interface GrantInput {
  packageId: string | null;
  network: string;
  macvlan: unknown;
  caps: readonly string[];
  modes: readonly string[];
}

/** A package whose image the run may use: `.ns.name` in code resolves to `imageId`. */
export interface PackageImage {
  namespace: string;
  name: string;
  imageId: string;
}

/** What coverage needs of a function: its name, parameters (raw or not), module and what it asks. */
export type GrantedFunction = Pick<ManifestFunction, "name" | "qualified" | "module" | "kind" | "params" | "privileges">;

export interface RunPolicyInput {
  /** the package being run */
  packageId: string;
  /** `ns.name` of the package being run */
  package: { namespace: string; name: string };
  /** the function being run */
  function: GrantedFunction;
  /** every function of the version being run (its manifest's modes and workflows) */
  functions: readonly GrantedFunction[];
  /** grants of the package's namespace (others are ignored: only these two kinds apply) */
  grants: readonly GrantInput[];
  settings: {
    baseImages: readonly string[];
    run: RunLimits;
    /** references as packages write them → the local image standing in (admin setting) */
    imageAliases?: Readonly<Record<string, string>>;
    /** registries a missing image may be pulled from (admin setting) */
    pullRegistries?: readonly string[];
    /** the admin's unsafe setting: `host` grants work on the hub's own machine too */
    hostNetworkOnHubMachine?: boolean;
  };
  /** the run's own package and the image built for the very version being run (null: no Dockerfile) */
  ownImage: { namespace: string; name: string; imageId: string | null };
  /** packages with a built image that the run's owner may see, each at its latest version */
  visibleImages: readonly PackageImage[];
  /**
   * The pinned dependency closure of the version being run: each member's own pinned image, the
   * grants of its namespace and package, and the modes of that pinned version's manifest.
   */
  dependencies?: readonly RunDependency[];
}

/** A member of the run's dependency closure as the policy needs it. */
export interface RunDependency {
  namespace: string;
  name: string;
  packageId: string;
  /** the image built for the pinned version (null: no Dockerfile) */
  imageId: string | null;
  grants: readonly GrantInput[];
  /** the functions of the pinned version's manifest */
  functions: readonly GrantedFunction[];
}

/** The image-policy key of a package: `.ns.name`, lower-case (tags are ignored). */
export const packageImageKey = (namespace: string, name: string): string => `.${namespace}.${name}`.toLowerCase();

const isGrantable = (c: string): c is GrantableCap => (GRANTABLE_CAPS as readonly string[]).includes(c);

/** Whether a grant row covers a function of package `packageId`: the functions it names, else every one but raw command-line modes. */
export function covers(g: Pick<GrantInput, "packageId" | "modes">, packageId: string, fn: Pick<GrantedFunction, "qualified" | "name" | "params">): boolean {
  if (g.packageId !== null && g.packageId !== packageId) return false;
  return g.modes.length > 0 ? g.modes.includes(fn.qualified) : !isRawCommandLine(fn);
}

/** How far a network reaches beyond the run: a function covered by several grants gets the widest. */
const REACH: Record<GrantNetwork, number> = { none: 0, bridge: 1, macvlan: 2, host: 3 };

/**
 * What the grants covering a function give it: every capability any of them grants, and the widest
 * network (the package's own grant before the namespace's for a segment). A stored row with an
 * unknown network or a segment that does not parse gives no network: it fails closed.
 */
export function functionGrant(grants: readonly GrantInput[], packageId: string, fn: Pick<GrantedFunction, "qualified" | "name" | "params">): PackageGrant {
  const applicable = grants.filter((g) => covers(g, packageId, fn)).sort((a, b) => (a.packageId === null ? 1 : 0) - (b.packageId === null ? 1 : 0));
  const caps = new Set<GrantableCap>();
  let best: PackageGrant = { network: "none", caps: [] };
  for (const g of applicable) {
    for (const c of g.caps) if (isGrantable(c)) caps.add(c);
    const network = (GRANT_NETWORKS as readonly string[]).includes(g.network) ? (g.network as GrantNetwork) : "none";
    const segment = network === "macvlan" ? macvlanSegmentSchema.safeParse(g.macvlan) : null;
    if (segment && !segment.success) continue;
    if (REACH[network] > REACH[best.network]) best = { network, ...(segment?.success ? { macvlan: segment.data } : {}), caps: [] };
  }
  return { ...best, caps: GRANTABLE_CAPS.filter((c) => caps.has(c)) };
}

const sameGrant = (a: PackageGrant, b: PackageGrant) => JSON.stringify([a.network, a.macvlan ?? null, a.caps]) === JSON.stringify([b.network, b.macvlan ?? null, b.caps]);

/** The modes of a package that carry a grant to the runner: defined in the package itself, covered, with the images their manifest lists. */
function modeGrants(
  pkg: string,
  packageId: string,
  grants: readonly GrantInput[],
  functions: readonly GrantedFunction[],
  keep: (g: PackageGrant) => boolean,
): Record<string, ModeGrant> {
  const out: Record<string, ModeGrant> = {};
  for (const fn of functions) {
    if (fn.kind !== "mode" || !definedIn(fn, pkg)) continue;
    const g = functionGrant(grants, packageId, fn);
    if (grantsAnything(g) && keep(g)) out[modeBuilder(fn)] = { ...g, images: [...new Set(fn.privileges?.images ?? [])].sort() };
  }
  return out;
}

/**
 * The run's own grant is what covers its function; its own modes no grant covers are listed
 * (`uncovered`: a Cr they build gets nothing), and its own modes granted more than its function
 * are passed on like a dependency's. Images: the run's own version's image, each dependency's
 * pinned image, the latest image of every package its owner may see, and the admin-listed base
 * images, aliases and pull registries. Nothing else: an image that is private to someone else is
 * simply absent, like a missing one. Each dependency passes on its covered modes' grants (the
 * runner gives one only to the Cr the planner builds by calling that mode).
 */
export function runPolicy(input: RunPolicyInput): RunPolicy {
  const own = `${input.package.namespace}.${input.package.name}`.toLowerCase();
  const granted = functionGrant(input.grants, input.packageId, input.function);
  const refs: Record<string, string> = {};
  for (const p of input.visibleImages) refs[packageImageKey(p.namespace, p.name)] = p.imageId;
  const packages: NonNullable<RunPolicy["packages"]> = {};
  // a dependency's `.ns.name` is the build of its pinned version: later versions change nothing
  for (const d of input.dependencies ?? []) {
    if (d.imageId) refs[packageImageKey(d.namespace, d.name)] = d.imageId;
    const key = `${d.namespace}.${d.name}`.toLowerCase();
    const modes = modeGrants(key, d.packageId, d.grants, d.functions, () => true);
    if (Object.keys(modes).length) packages[key] = { modes };
  }
  const ownModes = modeGrants(own, input.packageId, input.grants, input.functions, (g) => !sameGrant(g, granted));
  if (Object.keys(ownModes).length) packages[own] = { modes: ownModes };
  const uncovered = grantsAnything(granted)
    ? input.functions.filter((f) => f.kind === "mode" && definedIn(f, own) && !grantsAnything(functionGrant(input.grants, input.packageId, f))).map(modeBuilder).sort()
    : [];
  // the version being run uses its own build, not the package's latest
  if (input.ownImage.imageId) refs[packageImageKey(input.ownImage.namespace, input.ownImage.name)] = input.ownImage.imageId;
  const aliases = { ...input.settings.imageAliases };
  const pull = [...new Set(input.settings.pullRegistries ?? [])];
  return {
    ...granted,
    ...(input.settings.hostNetworkOnHubMachine ? { hostNetworkOnHubMachine: true } : {}),
    images: {
      refs,
      base: [...new Set(input.settings.baseImages)],
      any: false,
      ...(Object.keys(aliases).length ? { aliases } : {}),
      ...(pull.length ? { pull } : {}),
    },
    ...(uncovered.length ? { uncovered } : {}),
    ...(Object.keys(packages).length ? { packages } : {}),
    limits: structuredClone(input.settings.run),
  };
}

/**
 * What a function declares (introspection) that its grant does not give: the parts the runner
 * will refuse at task start. `host=True` also takes NET_RAW when granted, but runs without it.
 */
export function missingPrivileges(
  declared: { hostNetwork: boolean; caps: readonly string[] },
  granted: { network: GrantNetwork; caps: readonly string[] },
): { hostNetwork: boolean; caps: string[] } {
  return {
    hostNetwork: declared.hostNetwork && granted.network === "none",
    caps: [...new Set(declared.caps)].filter((c) => !granted.caps.includes(c)).sort(),
  };
}

/**
 * Arguments too large to accept: the fields whose JSON is over `fieldBytes` (by parameter name),
 * else — only when no field is over its own cap — all of them over `totalBytes`.
 */
export type OversizedArgs = { fields: Record<string, string> } | { total: string };

/** What of `args` is too large; null when they fit. Measured before anything is stored. */
export function oversizedArgs(args: Record<string, unknown>, caps: { fieldBytes: number; totalBytes: number }): OversizedArgs | null {
  const fields: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of Object.entries(args)) {
    const bytes = Buffer.byteLength(name, "utf8") + jsonBytes(value);
    total += bytes;
    if (bytes > caps.fieldBytes) fields[name] = `too large: ${bytes} bytes, at most ${caps.fieldBytes} per field`;
  }
  if (Object.keys(fields).length) return { fields };
  if (total > caps.totalBytes) return { total: `the arguments are too large: ${total} bytes, at most ${caps.totalBytes} in all` };
  return null;
}

function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8");
  } catch {
    // not JSON (a cycle, a BigInt): the parameter check rejects it; size it as unbounded here
    return Number.POSITIVE_INFINITY;
  }
}
