import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { compareVersions, readPackageMetadata, wheelMetadataVersion } from "./metadata.ts";

function withPackage(files: Record<string, string>, fn: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-metadata-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an upload's version and dependencies come from pyproject.toml [project], the version else from a wheel's METADATA", () => {
  withPackage({ "pyproject.toml": `[project]\nname = "lev.a.b"\nversion = "1.2.3"\ndependencies = ["lev.a.c>=1", "levrt"]\n` }, (dir) =>
    assert.deepEqual(readPackageMetadata(dir), { version: "1.2.3", dependencies: ["lev.a.c>=1", "levrt"] }),
  );
  withPackage({ "lev_a_b-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: lev.a.b\nVersion: 2.0\n" }, (dir) =>
    assert.deepEqual(readPackageMetadata(dir), { version: "2.0", dependencies: [] }),
  );
  withPackage({ "pyproject.toml": `[project]\nname = "lev.a.b"\n` }, (dir) => assert.match((readPackageMetadata(dir) as { problem: string }).problem, /no version/));
  withPackage({ "pyproject.toml": `[project]\nversion = "1 2"\n` }, (dir) => assert.match((readPackageMetadata(dir) as { problem: string }).problem, /'1 2' is not a valid version/));
});

test("bad TOML in an upload's pyproject.toml is its problem, with line and column", () => {
  withPackage({ "pyproject.toml": `[project]\nversion = "1.0"\ndependencies = ["a" "b"]\n` }, (dir) =>
    assert.deepEqual(readPackageMetadata(dir), { problem: "pyproject.toml:3: not valid TOML: expected comma or end of structure (column 21)" }),
  );
  withPackage({ "pyproject.toml": `[project]\nversion = "1.0"\ndependencies = [1]\n` }, (dir) => assert.match((readPackageMetadata(dir) as { problem: string }).problem, /array of strings/));
});

test("wheel METADATA versions, and versions sort numerically", () => {
  assert.equal(wheelMetadataVersion("Metadata-Version: 2.1\nName: lev.a.b\nVersion: 1.0\n\nVersion: 2"), "1.0");
  assert.ok(compareVersions("0.10", "0.9") > 0);
  assert.ok(compareVersions("1.0a1", "1.0") < 0);
  assert.equal(compareVersions("1.0", "1.0.0"), 0);
});
