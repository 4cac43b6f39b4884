/**
 * Which images an upload's Dockerfile may name, by id. Pure: the caller lists the admin's base
 * images present on the engine and the packages the uploader may see.
 */

/** An image reference as a Dockerfile writes it → the id of the image to build from, or null. */
export type BuildImageResolver = (ref: string) => string | null;

export interface PackageImageRef {
  namespace: string;
  name: string;
  imageId: string;
}

export interface BuildImages {
  /** admin base images present on the engine: reference as listed → image id */
  base: ReadonlyMap<string, string>;
  /** the packages the uploader may see, each with its latest version's image */
  packages: readonly PackageImageRef[];
}

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const PACKAGE_REF = /^\.([A-Za-z_]\w*\.[A-Za-z_]\w*)(?::\w[\w.-]{0,127})?$/;
const withTag = (ref: string) => (ref.lastIndexOf(":") > ref.lastIndexOf("/") || ref.includes("@") ? ref : `${ref}:latest`);

/**
 * The resolver of an upload: base images by their listed name (no tag = latest), `.ns.name[:tag]`
 * of a visible package (the tag is ignored: its latest image), or an allowed image's id. Package
 * images are never reached by their `levpkg/…` tags: those name nothing here.
 */
export function buildImageResolver(images: BuildImages): BuildImageResolver {
  const base = new Map([...images.base].map(([ref, id]) => [withTag(ref), id]));
  const packages = new Map(images.packages.map((p) => [`${p.namespace}.${p.name}`.toLowerCase(), p.imageId]));
  const ids = new Set([...base.values(), ...packages.values()]);
  return (ref) => {
    if (IMAGE_ID.test(ref)) return ids.has(ref) ? ref : null;
    const pkg = PACKAGE_REF.exec(ref);
    if (pkg) return packages.get(pkg[1].toLowerCase()) ?? null;
    return base.get(withTag(ref)) ?? null;
  };
}
