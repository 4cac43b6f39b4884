/** What a worker tells the hub about itself when it registers, and what it may remove at start. */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { DockerodeEngine, type ContainerEngine } from "../src/engine/engine.ts";
import { LABEL } from "../src/engine/labels.ts";
import { helperSandbox } from "../src/policy/container-config.ts";
import { instanceAlive } from "../src/run/runner.ts";
import { HubImageEngine } from "./images.ts";
import type { RegisterRequest } from "./protocol.ts";

export const SOFTWARE_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
})();

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a labelled resource on this engine is kept when a worker starts: those of instances the
 * hub declared lost go, and those of an old-style runner (`host:pid:…`) whose process is gone;
 * everything else (other workers, the hub's own runner, `lev exec`) is left alone.
 */
export function keepOnStart(labels: Record<string, string>, lost: ReadonlySet<string>): boolean {
  const instance = labels[LABEL.instance];
  if (!instance) return false;
  if (lost.has(instance)) return false;
  if (UUID.test(instance)) return true;
  return instanceAlive(instance);
}

export async function engineFacts(engine: ContainerEngine): Promise<RegisterRequest["engine"]> {
  const inner = engine instanceof HubImageEngine ? engine.inner : engine;
  if (!(inner instanceof DockerodeEngine)) return { host: "custom", version: "unknown" };
  const modem = inner.docker.modem as { socketPath?: string | (() => Promise<string>); host?: string; port?: string | number };
  // docker-modem's default socket path is a function that looks for the user's rootless socket first
  const socketPath = typeof modem.socketPath === "function" ? await modem.socketPath().catch(() => "/var/run/docker.sock") : modem.socketPath;
  const host = socketPath ? `unix://${socketPath}` : `${modem.host ?? "?"}:${modem.port ?? "?"}`;
  const version = await inner.docker.version().then(
    (v) => v.Version,
    () => "unknown",
  );
  return { host: host.slice(0, 256), version: String(version).slice(0, 64) };
}

const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** the kernel's own file; containers share the kernel, so one started on the engine reads its machine's */
const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

/**
 * The kernel boot id of the engine's machine, read by a throwaway container on that engine (so a
 * remote DOCKER_HOST counts as the machine it is), or null when it cannot tell. A boot id names
 * one running kernel: every container and network namespace on that kernel reads the same one,
 * another machine or VM reads its own, and unlike /etc/machine-id it is not copied with a VM image.
 */
export async function engineBootId(outer: ContainerEngine, image: string, timeoutMs = 30_000): Promise<string | null> {
  // the engine itself (nothing is fetched from the hub for this); one other than Docker's (a test's) has no machine to tell
  const engine = outer instanceof HubImageEngine ? outer.inner : outer;
  if (!(engine instanceof DockerodeEngine)) return null;
  let id: string | null = null;
  try {
    id = await engine.create({
      name: `levhub-bootid-${randomBytes(4).toString("hex")}`,
      image,
      // this process's own instance form: a crash leaves nothing a reaper would keep
      labels: { [LABEL.managed]: "1", [LABEL.role]: "introspect", [LABEL.instance]: `${hostname()}:${process.pid}:bootid` },
      entrypoint: ["python3", "-c", `print(open(${JSON.stringify(BOOT_ID_FILE)}).read().strip())`],
      cmd: [],
      env: [],
      binds: [],
      ...helperSandbox(),
    });
    let out = "";
    await engine.attach(id, (stream, chunk) => {
      if (stream === "stdout" && out.length < 256) out += chunk.toString("utf8");
    });
    await engine.start(id);
    const container = id;
    const timer = setTimeout(() => void engine.kill(container, "SIGKILL"), timeoutMs);
    const code = await engine.wait(id).finally(() => clearTimeout(timer));
    await new Promise((r) => setImmediate(r));
    const bootId = out.trim();
    return code === 0 && BOOT_ID.test(bootId) ? bootId : null;
  } catch {
    return null;
  } finally {
    if (id) await engine.remove(id).catch(() => undefined);
  }
}
