/**
 * Images as Leviathan packages name them, on real Docker and a real registry: Debian's
 * `docker-registry` (distribution 2.8) on 127.0.0.1:<free port> with throwaway storage. A listed
 * registry's image is pulled when missing and pinned by digest for the run; an unlisted one is
 * "not available"; an admin alias makes the docs' `Cr("alpine:latest")` run on a local image.
 */
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Docker from "dockerode";
import { main } from "../cli/main.ts";
import { DEFAULT_BASE_IMAGES, restrictedPolicy, type ImagePolicy, type RunPolicy } from "../src/index.ts";
import { allManaged, createHarness, FIXTURES, logText, type Harness } from "./harness.ts";

const execFileAsync = promisify(execFile);
const PKG = path.join(FIXTURES, "levtest.hello_world");
const PY = "levhub/python:bookworm";
const policy = (images: Partial<ImagePolicy>): RunPolicy => restrictedPolicy({ refs: {}, base: [...DEFAULT_BASE_IMAGES], any: false, ...images });

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForRegistry(url: string, child: ChildProcess, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("docker-registry did not answer");
}

describe("image pulls from a real registry, pinned digests, aliases", () => {
  let h: Harness;
  let registry: ChildProcess;
  let dir: string;
  let host: string;
  let ref: string;
  const docker = new Docker();

  before(async () => {
    h = await createHarness();
    dir = await mkdtemp(path.join(tmpdir(), "levtest-registry-"));
    host = `127.0.0.1:${await freePort()}`;
    await writeFile(
      path.join(dir, "config.yml"),
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${host}\n`,
    );
    registry = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: "ignore" });
    await waitForRegistry(`http://${host}/v2/`, registry, 10_000);
    // a copy of the base image in the registry, absent from the engine (Docker allows plain HTTP to 127.0.0.0/8)
    const repo = `${host}/levtest/python`;
    const tag = `pull-${randomBytes(3).toString("hex")}`;
    ref = `${repo}:${tag}`;
    await docker.getImage(PY).tag({ repo, tag });
    await execFileAsync("docker", ["push", "--quiet", ref], { timeout: 60_000 });
    await docker.getImage(ref).remove();
  });

  after(async () => {
    await h.close();
    await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    for (const img of await docker.listImages({ filters: JSON.stringify({ reference: [`${host}/*/*`] }) })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    }
    registry.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(await allManaged(), []);
  });

  test("a listed registry's image is pulled once, pinned by digest, and every task runs it", async () => {
    assert.equal(await h.engine.imageExists(ref), false);
    const r = await h.run(PKG, "twice", { image: ref }, { policy: policy({ pull: [host] }) });
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(r.tasks.length, 2);
    for (const t of r.tasks) {
      assert.equal(t.image, ref);
      assert.match(t.resolvedImage ?? "", new RegExp(`^${host.replace(/\./g, "\\.")}/levtest/python@sha256:[0-9a-f]{64}$`));
    }
    assert.equal(r.tasks[0].resolvedImage, r.tasks[1].resolvedImage);
    assert.equal(logText(r).match(/pulling /g)?.length, 1, logText(r));
  });

  test("without the registry listed the same image is not available to the run", async () => {
    const other = `${ref}-absent`;
    for (const p of [policy({}), policy({ pull: ["127.0.0.1:1"] })]) {
      const r = await h.run(PKG, "twice", { image: other }, { policy: p });
      assert.equal(r.status, "failed");
      assert.equal(r.tasks[0].error?.type, "ImageNotFound");
      assert.match(r.tasks[0].error?.message ?? "", /is not available to this run/);
      assert.doesNotMatch(logText(r), /pulling/);
    }
  });

  test("a listed registry without the image: not available, after one try", async () => {
    const r = await h.run(PKG, "twice", { image: `${host}/levtest/none:x` }, { policy: policy({ pull: [host] }) });
    assert.equal(r.status, "failed");
    assert.equal(r.tasks[0].error?.type, "ImageNotFound");
    assert.match(r.tasks[0].error?.message ?? "", /is not available to this run/);
  });

  test("an alias makes the Leviathan docs' hello world (Cr('alpine:latest')) run unchanged", async () => {
    const aliased = policy({ aliases: { "alpine:latest": PY } });
    const r = await h.run(PKG, "main.py", {}, { policy: aliased });
    assert.equal(r.status, "succeeded", logText(r));
    assert.match(logText(r, 0), /Hello, world!/);
    assert.equal(r.tasks[0].image, "alpine:latest");
    assert.equal(r.tasks[0].resolvedImage, PY);
    const without = await h.run(PKG, "main.py", {}, { policy: policy({}) });
    assert.equal(without.status, "failed");
    assert.equal(without.tasks[0].error?.type, "ImageNotFound");
  });

  test("lev exec runs the docs' main.py unchanged with --alias alpine:latest=…, and not without", async () => {
    assert.equal(await main(["exec", PKG, "main.py", "--quiet", "--alias", `alpine:latest=${PY}`]), 0);
    if (await h.engine.imageExists("alpine:latest")) return; // an engine that has alpine runs it either way
    assert.equal(await main(["exec", PKG, "main.py", "--quiet"]), 1);
  });
});
