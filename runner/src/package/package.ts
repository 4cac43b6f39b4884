import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export interface PackageLocation {
  dir: string;
  namespace: string;
  name: string;
  /** the import name, `lev.<ns>.<name>` */
  module: string;
  hasDockerfile: boolean;
}

export class PackageLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PackageLayoutError";
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Finds `lev/<ns>/<name>/__init__.py` in a package directory; exactly one must exist. */
export function locatePackage(dir: string): PackageLocation {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new PackageLayoutError(`${dir}: not a directory`);
  const levDir = path.join(abs, "lev");
  if (!existsSync(levDir)) throw new PackageLayoutError(`${dir}: no lev/ folder (expected lev/<ns>/<name>/__init__.py)`);
  const found: { namespace: string; name: string }[] = [];
  for (const ns of readdirSync(levDir)) {
    const nsDir = path.join(levDir, ns);
    if (!statSync(nsDir).isDirectory() || ns === "__pycache__") continue;
    for (const name of readdirSync(nsDir)) {
      if (existsSync(path.join(nsDir, name, "__init__.py"))) found.push({ namespace: ns, name });
    }
  }
  if (found.length === 0) throw new PackageLayoutError(`${dir}: no lev/<ns>/<name>/__init__.py found`);
  if (found.length > 1) {
    throw new PackageLayoutError(
      `${dir}: several packages found (${found.map((f) => `${f.namespace}.${f.name}`).join(", ")}); one per directory`,
    );
  }
  const { namespace, name } = found[0];
  if (!IDENT.test(namespace) || !IDENT.test(name)) {
    throw new PackageLayoutError(`${dir}: '${namespace}.${name}' is not a valid Python package name`);
  }
  return {
    dir: abs,
    namespace,
    name,
    module: `lev.${namespace}.${name}`,
    hasDockerfile: existsSync(path.join(abs, "Dockerfile")),
  };
}

/** `.ns.name:tag` names an image built by the hub from a package's Dockerfile. */
export function defaultImageResolver(ref: string): string {
  if (!ref.startsWith(".")) return ref;
  const [repo, tag = "latest"] = ref.slice(1).split(":");
  return `levpkg/${repo}:${tag}`;
}
