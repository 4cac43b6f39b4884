/**
 * Archives for the hub's tests: the builders are the runner's test helpers (runner/test/archives.ts,
 * next to the one extractor they test), plus a package directory as archive entries.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ArchiveEntry } from "../../runner/test/archives.ts";

export { buildTarGz, buildZip, type ArchiveEntry } from "../../runner/test/archives.ts";

/** Every regular file under `dir` as archive entries under `prefix/` (skips caches and VCS folders). */
export function directoryEntries(dir: string, prefix = ""): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      if (name === "__pycache__" || name === ".git" || name.endsWith(".pyc")) continue;
      // `lev add` keeps fetched dependencies in the project's .lev/: they are pinned, never packed
      if (!rel && name === ".lev") continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.push({ name: prefix ? `${prefix}/${r}` : r, data: readFileSync(path.join(dir, r)) });
    }
  };
  walk("");
  return out;
}
