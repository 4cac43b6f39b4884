import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { ManifestParam } from "../src/manifest/introspect.ts";
import { ParamValidationError } from "../src/manifest/params.ts";
import { runRefsSchema } from "../src/refs.ts";
import { localFileArgs, storeLocalFile } from "./local-files.ts";

let root: string;
let blobs: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "local-files-"));
  blobs = path.join(root, "blobs");
  await writeFile(path.join(root, "words.txt"), "alpha\nbeta\n");
  await mkdir(path.join(root, "a-dir"));
});
after(() => rm(root, { recursive: true, force: true }));

const param = (name: string, type: string): ManifestParam => ({ name, type, required: false, default: null, desc: null, holder: null });
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

test("a file is stored once per content, read-only, under its sha256", async () => {
  const a = await storeLocalFile(path.join(root, "words.txt"), blobs);
  assert.equal(a.sha256, sha("alpha\nbeta\n"));
  assert.equal(a.path, path.join(blobs, "sha256", a.sha256.slice(0, 2), a.sha256));
  assert.equal(a.size, 11);
  assert.equal((await stat(a.path)).mode & 0o777, 0o444);
  const b = await storeLocalFile(path.join(root, "words.txt"), blobs);
  assert.equal(b.path, a.path, "the same content, the same blob");
  assert.equal(await readFile(a.path, "utf8"), "alpha\nbeta\n");
  await assert.rejects(storeLocalFile(path.join(root, "nope"), blobs), /does not exist/);
  await assert.rejects(storeLocalFile(path.join(root, "a-dir"), blobs), /not a regular file/);
});

test("--param f=@path becomes a reference of the run; other parameters keep their '@'", async () => {
  const params = [param("wordlist", "file"), param("user", "str"), param("none", "file")];
  const { args, refs } = await localFileArgs(params, { wordlist: `@${path.join(root, "words.txt")}`, user: "@admin" }, blobs);
  const [id] = Object.keys(refs);
  assert.deepEqual(args, { wordlist: { $lev: "file", id }, user: "@admin" });
  assert.equal(refs[id].name, "words.txt");
  assert.equal(refs[id].size, 11);
  assert.equal(runRefsSchema.safeParse(refs).success, true);
  const errors = async (raw: Record<string, string | string[]>) => {
    try {
      await localFileArgs(params, raw, blobs);
    } catch (e) {
      if (e instanceof ParamValidationError) return e.errors;
    }
    return {};
  };
  assert.deepEqual(await errors({ wordlist: "words.txt" }), { wordlist: "is a file: give it as --param wordlist=@path" });
  assert.deepEqual(await errors({ wordlist: ["@a", "@b"] }), { wordlist: "is a file: give it as --param wordlist=@path" });
  assert.match((await errors({ wordlist: "@/no/such/file" })).wordlist ?? "", /does not exist/);
});
