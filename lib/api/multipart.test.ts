import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { AppError } from "../errors.ts";
import { boundaryOf, headerParams, MULTIPART_LIMITS, parseMultipart, removeStaged, stagedPaths } from "./multipart.ts";

const B = "----levhubtestboundary7MA4YWxk";
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "multipart-test-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

type Part = { name: string; value: string | Buffer; filename?: string; headers?: string };
function body(parts: Part[], opts: { preamble?: string; epilogue?: string; close?: boolean } = {}): Buffer {
  const out: Buffer[] = [Buffer.from(opts.preamble ?? "")];
  for (const p of parts) {
    const disposition = p.headers ?? `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"\r\nContent-Type: application/octet-stream` : ""}`;
    out.push(Buffer.from(`--${B}\r\n${disposition}\r\n\r\n`), Buffer.from(p.value), Buffer.from("\r\n"));
  }
  if (opts.close !== false) out.push(Buffer.from(`--${B}--\r\n${opts.epilogue ?? ""}`));
  return Buffer.concat(out);
}

/** The bytes in chunks of the given sizes (cycled): a boundary may be cut anywhere. */
async function* chunked(data: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let i = 0, k = 0; i < data.length; k++) {
    const n = sizes[k % sizes.length];
    yield new Uint8Array(data.subarray(i, i + n));
    i += n;
  }
}

const staged = async () => readdir(dir);

async function refused(data: Buffer, pattern: RegExp, code: string = "validation", limits = MULTIPART_LIMITS) {
  await assert.rejects(parseMultipart(chunked(data, [7]), B, dir, limits), (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
  assert.deepEqual(await staged(), [], "nothing staged is left behind");
}

test("fields and files, cut at every size (one byte at a time too): values, names, sizes and sha256s as sent", async () => {
  const wordlist = Buffer.concat([Buffer.from(`alpha\r\n--${B.slice(0, 10)}\r\n-`), randomBytes(70_000), Buffer.from(`\r\n--${B.slice(0, -1)}`)]);
  const data = body(
    [
      { name: "args", value: '{"n": 2}' },
      { name: "args.words", value: wordlist, filename: "words list.txt" },
      { name: "note", value: "ünïcödé\r\nsecond line" },
      { name: "args.empty", value: "", filename: "empty.txt" },
      { name: "args.other", value: "x", headers: `Content-Disposition: form-data; name="args.other"; filename="a\\"b.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\nContent-Type: text/plain` },
    ],
    { preamble: "ignored preamble\r\n", epilogue: "ignored epilogue" },
  );
  for (const sizes of [[1], [3, 1, 64], [4096], [data.length]]) {
    const parsed = await parseMultipart(chunked(data, sizes), B, dir);
    assert.deepEqual(parsed.fields, [
      ["args", '{"n": 2}'],
      ["note", "ünïcödé\r\nsecond line"],
    ]);
    assert.deepEqual(
      parsed.files.map(([k, f]) => [k, f.name, f.size, f.sha256, f.type]),
      [
        ["args.words", "words list.txt", wordlist.length, sha(wordlist), "application/octet-stream"],
        ["args.empty", "empty.txt", 0, sha(""), "application/octet-stream"],
        ["args.other", "résumé.txt", 1, sha("x"), "text/plain"],
      ],
      `chunks of ${sizes}`,
    );
    assert.ok(Buffer.from(await readFile(parsed.files[0][1].path)).equals(wordlist));
    assert.ok(Buffer.from(await parsed.files[0][1].arrayBuffer()).equals(wordlist), "the File reads the staged copy");
    await removeStaged(stagedPaths(parsed));
    assert.deepEqual(await staged(), []);
  }
});

test("a file input left empty (no name, no bytes) is dropped, staging nothing", async () => {
  const parsed = await parseMultipart(chunked(body([{ name: "args.f", value: "", filename: "" }, { name: "a", value: "1" }]), [5]), B, dir);
  assert.deepEqual(parsed.files, []);
  assert.deepEqual(parsed.fields, [["a", "1"]]);
  assert.deepEqual(await staged(), []);
});

test("malformed bodies are refused with what is wrong, and whatever was staged is removed", async () => {
  const file = { name: "f", value: randomBytes(5000), filename: "x.bin" };
  await refused(body([file], { close: false }), /ends before its closing boundary/);
  await refused(Buffer.from("no boundary anywhere"), /ends before its closing boundary/);
  await refused(body([file, { name: "x", value: "1", headers: "Content-Type: text/plain" }]), /a part without Content-Disposition/);
  await refused(body([file, { name: "x", value: "1", headers: 'Content-Disposition: form-data; filename="a"' }]), /a part without a field name/);
  await refused(body([file, { name: "x", value: "1", headers: 'Content-Disposition: attachment; name="x"' }]), /is 'attachment', not form-data/);
  await refused(body([file, { name: "x", value: "1", headers: 'Content-Disposition: form-data; name="x"; name="y"' }]), /repeats the parameter 'name'/);
  await refused(body([file, { name: "x", value: "1", headers: 'Content-Disposition: form-data; name="x"\r\nContent-Disposition: form-data; name="y"' }]), /repeats its 'content-disposition' header/);
  await refused(body([file, { name: "x", value: "1", headers: 'Content-Disposition: form-data; name="x"\r\n folded' }]), /header line cannot be read/);
  await refused(Buffer.concat([body([file], { close: false }), Buffer.from(`--${B} trailing text\r\n`)]), /followed by text on its line/);
  await refused(Buffer.concat([body([file], { close: false }), Buffer.from(`--${B}\r\n\r\nvalue\r\n--${B}--`)]), /a part without headers/);
  await refused(body([file, { name: "x", value: "1", headers: `Content-Disposition: form-data; name="x"; filename*=latin1''x` }]), /filename\* that is not UTF-8/);
});

test("bombs: too many parts, too many files, endless headers, fields past their cap", async () => {
  const many = Array.from({ length: 65 }, (_, i) => ({ name: `f${i}`, value: "1" }));
  await refused(body(many), /more than 64 parts/);
  const files = Array.from({ length: 17 }, (_, i) => ({ name: `f${i}`, value: "x", filename: `f${i}` }));
  await refused(body(files), /more than 16 files/);
  await refused(body([{ name: "x", value: "1", headers: `Content-Disposition: form-data; name="x"\r\nX-Pad: ${"a".repeat(9000)}` }]), /headers are over 8192 bytes/);
  // a header block that never ends is refused once past its cap, however long the stream goes on
  const endless = Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="x"\r\nX-Pad: `), Buffer.alloc(64 * 1024, 0x61)]);
  await refused(endless, /headers are over 8192 bytes/);
  await refused(body([{ name: "a", value: "x".repeat(40_000) }, { name: "b", value: "y".repeat(30_000) }]), /fields hold more than 65536 bytes/, "too_large");
  // files are not held in memory: only the fields count toward that cap
  const big = await parseMultipart(chunked(body([{ name: "f", value: Buffer.alloc(200_000, 0x62), filename: "big" }]), [65536]), B, dir);
  assert.equal(big.files[0][1].size, 200_000);
  await removeStaged(stagedPaths(big));
});

test("the boundary and header parameters as RFC 2046 and RFC 7578 write them", () => {
  assert.equal(boundaryOf(`multipart/form-data; boundary=${B}`), B);
  assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"'), "a b:c");
  for (const bad of ["multipart/form-data", "multipart/form-data; boundary=", `multipart/form-data; boundary=${"a".repeat(71)}`, 'multipart/form-data; boundary="ends with space "', "multipart/form-data; boundary=a\u0000b"]) {
    assert.throws(() => boundaryOf(bad), /names no valid boundary/, bad);
  }
  const { type, params } = headerParams('form-data; name="a;b"; filename="c\\"d"; x=token');
  assert.equal(type, "form-data");
  assert.deepEqual([...params], [
    ["name", "a;b"],
    ["filename", 'c"d'],
    ["x", "token"],
  ]);
});
