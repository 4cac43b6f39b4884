/**
 * The compatibility corpus (runner/python/tests/fixtures/compat) run on real Docker and FerretDB as
 * `lev exec` runs it: Leviathan's developer guide and API chapter, and the idioms of published
 * packages (file parameters mounted from stored files, a bare image id through an alias, an async
 * mode, `lev.doc.set`). `lev exec` builds each package's Dockerfile for its `.ns.name:tag`; these
 * Dockerfiles are `FROM levhub/python:bookworm` and a label, so the policy maps them to that image
 * (the last test runs the CLI itself, Dockerfile build included). Nothing touches the network.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import Docker from "dockerode";
import { localPolicy, mongoUri, newRefId, restrictedPolicy, type RunPolicy, type RunRefs } from "../src/index.ts";
import { createHarness, logText, REPO, type Harness } from "./harness.ts";

const COMPAT = path.join(REPO, "runner/python/tests/fixtures/compat");
const PY = "levhub/python:bookworm";
const pkg = (name: string) => path.join(COMPAT, name);
const execFileAsync = promisify(execFile);

/** `lev exec`'s policy, with the aliases an author would pass (--alias) and each package's image */
function execPolicy(): RunPolicy {
  const policy = localPolicy();
  policy.images.aliases = { "alpine:latest": PY, "2746dc3d57b0": PY };
  for (const p of ["levdoc.hello_world", "wild.cracker", "wild.cewl"]) policy.images.refs[`.${p}`] = PY;
  return policy;
}

describe("the compatibility corpus under the runner, as lev exec runs it", () => {
  let h: Harness;
  let dir: string;
  const refs: RunRefs = {};
  /** a stored file of the run, as the hub's blob store or `lev exec` would keep it */
  async function stored(name: string, content: string) {
    const file = path.join(dir, `blob-${Object.keys(refs).length}`);
    await writeFile(file, content, { mode: 0o444 });
    const id = newRefId();
    refs[id] = { kind: "file", path: file, name, size: Buffer.byteLength(content), sha256: createHash("sha256").update(content).digest("hex") };
    return { $lev: "file", id };
  }
  const docsOf = async (coll: string, job: number) => h.db.collection(coll).find({ "_id.job": job } as never).sort({ "_id.task": 1 }).toArray();

  before(async () => {
    h = await createHarness({ policy: execPolicy() });
    dir = await mkdtemp(path.join(tmpdir(), "compat-files-"));
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(await h.leftovers(), [], "no labelled container or network of this runner remains");
  });

  test("the developer guide's workflow (chapters 5-12) and its main.py run", async () => {
    const r = await h.run(pkg("levdoc.hello_world"), "hello_world", { length: 4 });
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.match(logText(r, 0), /hello_world: 2\.7183/);
    assert.match(logText(r, 0), /DEBUG:lev:\[lev app - hello world\] Hi, world!/);
    assert.deepEqual(r.tasks.map((t) => [t.image, t.resolvedImage, t.status]), [
      ["alpine:latest", PY, "succeeded"],
      ["alpine:latest", PY, "succeeded"],
      [".levdoc.hello_world:v1.0", PY, "succeeded"],
    ]);
    assert.match(logText(r, 3), /DEBUG \[lev app - hello world\] log from container/, "the entry's logging reaches its task log");
    const script = await h.run(pkg("levdoc.hello_world"), "main.py");
    assert.equal(script.status, "succeeded", JSON.stringify(script.error) + logText(script));
    // its print()s in order (the logging module's lines go to stderr and may land between them)
    const printed = logText(script, 0).split("\n").filter((l) => !l.startsWith("DEBUG:"));
    assert.ok(printed.indexOf("Hello, world!") >= 0 && printed.indexOf("2.718281828") > printed.indexOf("Hello, world!"), printed.join("\n"));
  });

  test("the API chapter: lev.set and namespaces, Concurrent, start/signal/done, files, env, ports and services", async () => {
    for (const [fn, expected] of [
      ["main", /main ok/],
      ["current", /current: \['a\.example', 'b\.example', 'c\.example', 'last\.example'\]/],
      ["background", /background: /],
      ["files_and_services", /files_and_services: \{'config': \{'depth': 2\}, 'blob': 'a blob shipped with the package', 'service_status': 200\}/],
    ] as const) {
      const r = await h.run(pkg("levdoc.api"), fn);
      assert.equal(r.status, "succeeded", `${fn}: ${JSON.stringify(r.error)}\n${logText(r)}`);
      assert.match(logText(r, 0), expected, fn);
    }
  });

  test("file parameters: the workflow passes its File handles on, each mode reads its file where Cr(files=) mounted it", async () => {
    const args = { file_to_extract: await stored("secret.zip", "hunter2"), wordlist: await stored("words.txt", "alpha\nhunter2\nomega\n"), birthday: "01012000" };
    const r = await h.run(pkg("wild.cracker"), "crack_file", args, { refs });
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.match(logText(r, 0), /crack_file: Password Successfully Cracked: 'hunter2'/);
    assert.deepEqual(r.tasks.map((t) => [t.image, t.resolvedImage]), [[".wild.cracker:v1.0", PY], ["2746dc3d57b0", PY]], "the bare id ran through its alias");
    const [extracted] = await docsOf("wild/cracker.extract_hash", r.job);
    assert.equal(extracted.hash, createHash("sha256").update("hunter2").digest("hex"));
    assert.deepEqual(extracted.callback, { name: "secret.zip", size: 7 }, "the tool container rebuilt the handle: name and size, no path");
    const [cracked] = await docsOf("wild/cracker.crack", r.job);
    assert.equal(cracked.tried, 3);
    const [own] = await docsOf("wild/cracker.crack_file", r.job);
    assert.deepEqual([own.doc, own.birthday], [{ msg: "Password Successfully Cracked", password: "hunter2" }, "01012000"], "lev.doc.set and ctx.set(key, value)");
  });

  test("a file parameter left empty mounts nothing; a mode run on its own reads its file", async () => {
    const empty = await h.run(pkg("wild.cracker"), "john.extract_hash", {});
    assert.equal(empty.status, "succeeded", JSON.stringify(empty.error) + logText(empty));
    assert.deepEqual((await docsOf("wild/cracker.extract_hash", empty.job))[0].success, false);
    const f = await stored("hashes.txt", "first line\nsecond\n");
    const r = await h.run(pkg("wild.cracker"), "john.extract_hash", { file_to_extract: f, upper: true }, { refs });
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    const [doc] = await docsOf("wild/cracker.extract_hash", r.job);
    assert.equal(doc.first_line, "first line");
    assert.equal(doc.hash, createHash("sha256").update("first line\nsecond\n").digest("hex").toUpperCase());
  });

  test("an async mode (async def … -> Cr) runs as a run of its own and from a workflow; annot.ARGV's raw mode runs", async () => {
    const words = await stored("words.txt", "a\nabcd\nabcdef\n");
    const r = await h.run(pkg("wild.cewl"), "cewl.Wordlist", { word_list: words, min_length: 4 }, { refs });
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.deepEqual(r.tasks.map((t) => t.coll), ["wild/cewl.Wordlist"]);
    assert.deepEqual((await docsOf("wild/cewl.Wordlist", r.job))[0].wordlist, ["abcd", "abcdef"]);
    const flow = await h.run(pkg("wild.cewl"), "count_words", { word_list: words }, { refs });
    assert.equal(flow.status, "succeeded", JSON.stringify(flow.error) + logText(flow));
    assert.match(logText(flow, 0), /count_words: 2/);
    const raw = await h.run(pkg("wild.cracker"), "john.raw", { argv: ["--format", "zip"] });
    assert.equal(raw.status, "succeeded", JSON.stringify(raw.error) + logText(raw));
    assert.equal((await docsOf("wild/cracker.raw", raw.job))[0].result, "--format zip");
  });

  test("on a hub (no local images): a bare id without an alias and a package image that is not built are refused clearly", async () => {
    const hub = restrictedPolicy({ refs: {}, base: [PY], any: false, aliases: { "alpine:latest": PY } });
    const r = await h.run(pkg("wild.cracker"), "john.crack", { password_hash: "00" }, { policy: hub });
    assert.equal(r.status, "failed");
    assert.equal(r.error?.type, "ImageNotFound");
    assert.match(r.error?.message ?? "", /^image '2746dc3d57b0' is not available to this run: it is an image id, .*Admin → Policy → image aliases/);
    const exp = await h.run(pkg("levdoc.hello_world"), "hello.exp", {}, { policy: hub });
    assert.equal(exp.error?.type, "ImageNotFound");
    assert.match(exp.error?.message ?? "", /^image '\.levdoc\.hello_world:v1\.0' is not available to this run: it names the image built from the Dockerfile of package levdoc\.hello_world/);
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("lev exec --param f=@path: the CLI stores the file and the mode reads it (Dockerfile built for .ns.name)", async () => {
    const input = path.join(dir, "input.txt");
    await writeFile(input, "from the command line\n");
    const dbName = `levtest_cli_${randomBytes(4).toString("hex")}`;
    const env = { ...process.env, MONGODB_URI: mongoUri(dbName), LEVHUB_HOME: path.join(dir, "home") };
    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(REPO, "runner/cli/lev.mjs"), "exec", pkg("wild.cracker"), "john.extract_hash", "--param", `file_to_extract=@${input}`, "--json", "--quiet"],
      { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const out = JSON.parse(stdout) as { status: string; tasks: { resolvedImage: string | null }[]; documents: Record<string, { first_line?: string; callback?: unknown }[]> };
    try {
      assert.equal(out.status, "succeeded", stdout);
      const [doc] = out.documents["wild/cracker.extract_hash"];
      assert.equal(doc.first_line, "from the command line");
      assert.deepEqual(doc.callback, { name: "input.txt", size: 22 });
      assert.equal(out.tasks[0].resolvedImage, "levpkg/wild.cracker:local");
    } finally {
      // the image lev exec built for this package (only this test uses the tag)
      await new Docker().getImage("levpkg/wild.cracker:local").remove().catch(() => undefined);
      const { MongoClient } = await import("mongodb");
      const client = await MongoClient.connect(mongoUri(dbName));
      await client.db(dbName).dropDatabase();
      await client.close();
    }
  });
});
