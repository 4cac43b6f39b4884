import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pruneTarCache, tarsToEvict, useTar } from "./image-cache.ts";

const tar = (file: string, size: number, usedAtMs: number) => ({ file, size, usedAtMs });

test("the least recently used tars go first until the rest fit; busy ones are skipped", () => {
  const tars = [tar("c", 40, 3), tar("a", 40, 1), tar("b", 40, 2)];
  assert.deepEqual(tarsToEvict(tars, 120, new Set()), []);
  assert.deepEqual(tarsToEvict(tars, 80, new Set()), ["a"]);
  assert.deepEqual(tarsToEvict(tars, 50, new Set()), ["a", "b"]);
  assert.deepEqual(tarsToEvict(tars, 50, new Set(["a"])), ["b", "c"]);
  assert.deepEqual(tarsToEvict(tars, 0, new Set(["a", "b", "c"])), [], "nothing busy is ever deleted, even over the cap");
});

test("pruning a real folder: served tars move to the back of the line, one being streamed stays, .tmp saves are left alone", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-tars-"));
  try {
    const file = (n: string) => path.join(dir, n);
    for (const [n, t] of [["old.tar", 1], ["mid.tar", 2], ["new.tar", 3]] as const) {
      writeFileSync(file(n), Buffer.alloc(100));
      utimesSync(file(n), t, t);
    }
    writeFileSync(file("saving.tar.1234.tmp"), Buffer.alloc(500));
    const done = useTar(file("old.tar")); // served now: the most recent, and busy
    assert.deepEqual(pruneTarCache(dir, 150).map((f) => path.basename(f)), ["mid.tar", "new.tar"]);
    assert.ok(existsSync(file("old.tar")) && existsSync(file("saving.tar.1234.tmp")));
    done();
    assert.deepEqual(pruneTarCache(dir, 0).map((f) => path.basename(f)), ["old.tar"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
