import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { ManifestParam } from "../src/manifest/introspect.ts";
import { CliError } from "./hub.ts";
import { progressPrinter, uploadFile, withUploadedFiles } from "./hub-files.ts";

/** A stand-in for the hub's `POST /api/files`: it records what arrived and answers like the hub. */
const received: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
let url = "";
let dir = "";
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    received.push({ headers: req.headers, body });
    if (req.headers.authorization !== "Bearer lev_test") return void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "unauthorized", message: "no" } }));
    const n = received.length;
    res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: `uploaded-file-${String(n).padStart(6, "0")}`, name: "x", size: body.length, sha256: "0".repeat(64) }));
  });
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), "lev-files-"));
});
after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const p = (name: string, type: string): ManifestParam => ({ name, type, required: false, default: null, desc: null, holder: null });

test("uploadFile streams the file as one multipart part with its length declared, the project beside it, progress as it goes", async () => {
  const file = path.join(dir, 'my "words".txt');
  const content = Buffer.alloc(3 * 1024 * 1024, 0x61);
  await writeFile(file, content);
  const seen: number[] = [];
  received.length = 0;
  const up = await uploadFile({ url, token: "lev_test" }, file, { project: "team", onProgress: (sent) => seen.push(sent) });
  assert.equal(up.id, "uploaded-file-000001");
  const { headers, body } = received[0];
  assert.equal(Number(headers["content-length"]), body.length, "the declared length is what was sent");
  const boundary = /boundary=(\S+)/.exec(String(headers["content-type"]))![1];
  const text = body.toString("latin1");
  assert.ok(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="project"\r\n\r\nteam\r\n`));
  assert.ok(text.includes(`name="file"; filename="my %22words%22.txt"; filename*=UTF-8''my%20%22words%22.txt`), "a quote cannot end the header's value early");
  assert.ok(body.includes(content));
  assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`));
  assert.equal(seen.at(-1), content.length);
  await assert.rejects(uploadFile({ url, token: "lev_test" }, path.join(dir, "missing")), /no such file/);
  await assert.rejects(uploadFile({ url, token: "lev_test" }, dir), /is not a regular file/);
  await assert.rejects(uploadFile({ url, token: "wrong" }, file), (e: unknown) => e instanceof CliError && e.code === "unauthorized");
});

test("withUploadedFiles: @path uploads for file parameters only; a reference passes; anything else given a file parameter is refused before any upload", async () => {
  const file = path.join(dir, "hashes.txt");
  await writeFile(file, "x\n");
  const params = [p("f", "file"), p("g", "Optional[file]"), p("handle", "str")];
  received.length = 0;
  const args = await withUploadedFiles({ url, token: "lev_test" }, params, { f: `@${file}`, handle: "@alice", g: '{"$lev": "file", "id": "earlier-upload-00000"}' });
  assert.deepEqual(args, { f: { $lev: "file", id: "uploaded-file-000001" }, handle: "@alice", g: { $lev: "file", id: "earlier-upload-00000" } });
  assert.equal(received.length, 1);
  received.length = 0;
  await assert.rejects(withUploadedFiles({ url, token: "lev_test" }, params, { f: `@${file}`, g: "hashes.txt" }), /--param g: is a file: give it as --param g=@path/);
  assert.equal(received.length, 0, "nothing uploaded when any file parameter is wrong");
});

test("progress: files under 1 MiB say nothing; on a terminal one line redrawn, elsewhere every quarter", () => {
  const out: string[] = [];
  const tty = progressPrinter((s) => out.push(s), true);
  tty(10, 100, "small");
  assert.equal(out.length, 0);
  const MiB = 1048576;
  tty(MiB, 4 * MiB, "big.bin");
  tty(4 * MiB, 4 * MiB, "big.bin");
  assert.deepEqual(out, ["\ruploading big.bin: 1.0 of 4.0 MiB (25%)", "\ruploading big.bin: 4.0 of 4.0 MiB (100%)\n"]);
  out.length = 0;
  const log = progressPrinter((s) => out.push(s), false);
  for (let sent = 0; sent <= 8 * MiB; sent += MiB / 2) log(sent, 8 * MiB, "big.bin");
  assert.deepEqual(out.map((l) => /\((\d+)%\)/.exec(l)?.[1]), ["0", "25", "50", "75", "100"]);
});
