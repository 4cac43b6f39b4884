import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultImageResolver, locatePackage, PackageLayoutError } from "./package.ts";

test("locatePackage finds lev/<ns>/<name>/__init__.py", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "pkg-"));
  try {
    await assert.rejects(async () => locatePackage(dir), PackageLayoutError);
    await mkdir(path.join(dir, "lev/alice/scanner"), { recursive: true });
    await writeFile(path.join(dir, "lev/alice/scanner/__init__.py"), "");
    const pkg = locatePackage(dir);
    assert.equal(pkg.module, "lev.alice.scanner");
    assert.equal(pkg.hasDockerfile, false);
    await mkdir(path.join(dir, "lev/alice/other"), { recursive: true });
    await writeFile(path.join(dir, "lev/alice/other/__init__.py"), "");
    assert.throws(() => locatePackage(dir), /several packages/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("image references starting with '.' name package-built images", () => {
  assert.equal(defaultImageResolver(".szczecin.nmap_python:v1.0"), "levpkg/szczecin.nmap_python:v1.0");
  assert.equal(defaultImageResolver("alpine:3"), "alpine:3");
});
