/** What a worker tells the hub about itself when it registers, and what it may remove at start. */
import { readFileSync } from "node:fs";
import { DockerodeEngine, type ContainerEngine } from "../src/engine/engine.ts";
import { LABEL } from "../src/engine/labels.ts";
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
