/**
 * What one run may do, computed from admin grants and hub settings. Pure: the caller loads the
 * rows; this decides. The runner enforces the result at every task start.
 */
import { GRANTABLE_CAPS, type GrantableCap, type PackageGrant, type RunLimits, type RunPolicy } from "../../runner/src/policy/policy.ts";

/** A grant row as stored: namespace-wide when `packageId` is null, else for that one package. */
export interface GrantInput {
  packageId: string | null;
  hostNetwork: boolean;
  caps: readonly string[];
}

/** A package whose image the run may use: `.ns.name` in code resolves to `imageId`. */
export interface PackageImage {
  namespace: string;
  name: string;
  imageId: string;
}

export interface RunPolicyInput {
  /** the package being run */
  packageId: string;
  /** grants of the package's namespace (others are ignored: only these two kinds apply) */
  grants: readonly GrantInput[];
  settings: {
    baseImages: readonly string[];
    run: RunLimits;
    /** references as packages write them → the local image standing in (admin setting) */
    imageAliases?: Readonly<Record<string, string>>;
    /** registries a missing image may be pulled from (admin setting) */
    pullRegistries?: readonly string[];
  };
  /** the run's own package and the image built for the very version being run (null: no Dockerfile) */
  ownImage: { namespace: string; name: string; imageId: string | null };
  /** packages with a built image that the run's owner may see, each at its latest version */
  visibleImages: readonly PackageImage[];
  /**
   * The pinned dependency closure of the version being run: each member's own pinned image and
   * the grants of its namespace (only the dependency's namespace and package grants apply to it).
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
}

/** The image-policy key of a package: `.ns.name`, lower-case (tags are ignored). */
export const packageImageKey = (namespace: string, name: string): string => `.${namespace}.${name}`.toLowerCase();

const isGrantable = (c: string): c is GrantableCap => (GRANTABLE_CAPS as readonly string[]).includes(c);

/**
 * The union of the namespace-wide grant and the package's own grant; images: the run's own version's
 * image, each dependency's pinned image, the latest image of every package its owner may see, and
 * the admin-listed base images, aliases and pull registries. Nothing else: an image that is private
 * to someone else is simply absent, like a missing one. Each dependency gets its own grant under
 * `packages` (the runner applies it only to Crs it verified that dependency's code builds).
 */
export function runPolicy(input: RunPolicyInput): RunPolicy {
  const granted = grantedPrivileges(input.grants, input.packageId);
  const refs: Record<string, string> = {};
  for (const p of input.visibleImages) refs[packageImageKey(p.namespace, p.name)] = p.imageId;
  // a dependency's `.ns.name` is the build of its pinned version: later versions change nothing
  const packages: Record<string, PackageGrant> = {};
  for (const d of input.dependencies ?? []) {
    if (d.imageId) refs[packageImageKey(d.namespace, d.name)] = d.imageId;
    packages[`${d.namespace}.${d.name}`.toLowerCase()] = grantedPrivileges(d.grants, d.packageId);
  }
  // the version being run uses its own build, not the package's latest
  if (input.ownImage.imageId) refs[packageImageKey(input.ownImage.namespace, input.ownImage.name)] = input.ownImage.imageId;
  const aliases = { ...input.settings.imageAliases };
  const pull = [...new Set(input.settings.pullRegistries ?? [])];
  return {
    hostNetwork: granted.hostNetwork,
    caps: granted.caps,
    images: {
      refs,
      base: [...new Set(input.settings.baseImages)],
      any: false,
      ...(Object.keys(aliases).length ? { aliases } : {}),
      ...(pull.length ? { pull } : {}),
    },
    ...(input.dependencies?.length ? { packages } : {}),
    limits: structuredClone(input.settings.run),
  };
}

/** The union of the namespace-wide grant and the package's own; other packages' grants do not apply. */
export function grantedPrivileges(grants: readonly GrantInput[], packageId: string): { hostNetwork: boolean; caps: GrantableCap[] } {
  const applicable = grants.filter((g) => g.packageId === null || g.packageId === packageId);
  const caps = new Set<GrantableCap>();
  for (const g of applicable) for (const c of g.caps) if (isGrantable(c)) caps.add(c);
  return { hostNetwork: applicable.some((g) => g.hostNetwork), caps: GRANTABLE_CAPS.filter((c) => caps.has(c)) };
}

/**
 * What a function declares (introspection) that its package is not granted: the parts the runner
 * will refuse at task start. `host=True` also takes NET_RAW when granted, but runs without it.
 */
export function missingPrivileges(
  declared: { hostNetwork: boolean; caps: readonly string[] },
  granted: { hostNetwork: boolean; caps: readonly string[] },
): { hostNetwork: boolean; caps: string[] } {
  return {
    hostNetwork: declared.hostNetwork && !granted.hostNetwork,
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
