import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { directoryEntries } from "./archives.ts";

test("directoryEntries packs the package, not the dependencies `lev add` keeps in .lev/ nor caches", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "archives-test-"));
  try {
    for (const f of ["pyproject.toml", "lev/a/b/__init__.py", "lev/a/b/__pycache__/x.pyc", ".lev/deps/c.d/pyproject.toml", "docs/.lev/kept.txt"]) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), "x");
    }
    assert.deepEqual(directoryEntries(dir).map((e) => e.name).sort(), ["docs/.lev/kept.txt", "lev/a/b/__init__.py", "pyproject.toml"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
