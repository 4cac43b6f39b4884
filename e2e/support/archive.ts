import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/** Files of a fixture folder, with `__NS__` in paths and contents replaced by the namespace. */
export function fixtureFiles(dir: string, namespace: string): { path: string; content: Buffer }[] {
  const out: { path: string; content: Buffer }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else
        out.push({
          path: relative(dir, full).split("__NS__").join(namespace),
          content: Buffer.from(readFileSync(full, "utf8").split("__NS__").join(namespace)),
        });
    }
  };
  walk(dir);
  return out;
}

/** A `.tar.gz` of the fixture, built in memory the way `tar czf` would. */
export async function tarGz(files: { path: string; content: Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(Buffer.from(c as Uint8Array)));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) => pack.entry({ name: f.path, mode: 0o644, mtime: new Date(0) }, f.content, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}
