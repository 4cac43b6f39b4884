/**
 * What the app exposes, read from the files on disk: pages, route methods and server action
 * exports. The authorization tests compare it with the matrix, so nothing reachable goes unchecked.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { exportedNames } from "../../lib/api/route-table.ts";

export { exportedNames };

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

const rel = (root: string, file: string) => relative(root, file).split(sep).join("/");

/** Every `app/**\/page.tsx`, relative to `root`. */
export function pageFiles(root: string): string[] {
  return walk(join(root, "app"))
    .filter((f) => /(^|\/)page\.(tsx|ts|jsx|js)$/.test(rel(root, f)))
    .map((f) => rel(root, f));
}

/** Every route method as `<METHOD> app/api/.../route.ts`. */
export function routeMethods(root: string): string[] {
  const out: string[] = [];
  for (const file of walk(join(root, "app"))) {
    const r = rel(root, file);
    if (!/(^|\/)route\.(ts|js)$/.test(r)) continue;
    for (const name of exportedNames(readFileSync(file, "utf8"))) if (HTTP_METHODS.includes(name)) out.push(`${name} ${r}`);
  }
  return out.sort();
}

/** Every server action module: the `"use server"` files of app/actions. */
export function actionFiles(root: string): string[] {
  return walk(join(root, "app", "actions"))
    .filter((f) => /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f))
    .filter((f) => /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/.test(readFileSync(f, "utf8")))
    .map((f) => rel(root, f));
}

/** Every exported server action as `<file>#<export>`. */
export function actionExports(root: string): string[] {
  return actionFiles(root)
    .flatMap((f) => exportedNames(readFileSync(join(root, f), "utf8")).map((name) => `${f}#${name}`))
    .sort();
}

/** The difference between what is on disk and what the matrix declares, as readable lines. */
export function surfaceDiff(kind: string, onDisk: string[], declared: string[]): string[] {
  const disk = new Set(onDisk);
  const matrix = new Set(declared);
  return [
    ...onDisk.filter((x) => !matrix.has(x)).map((x) => `${kind} without a matrix entry: ${x}`),
    ...declared.filter((x) => !disk.has(x)).map((x) => `${kind} in the matrix but not on disk: ${x}`),
  ];
}
