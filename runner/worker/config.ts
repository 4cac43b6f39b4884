/**
 * `npm run worker`'s settings, from the environment; every bad value is a clear error naming the
 * variable, before anything starts.
 *
 *   LEVHUB_HUB_URL          the hub (http(s)://host:port, or unix:/path/to/hub.sock on the hub's machine) — required
 *   LEVHUB_WORKER_TOKEN     a worker credential (`lwk_…`, Admin → Workers or `npm run admin -- worker-token NAME`) — required
 *   LEVHUB_WORKER_NAME      shown to admins; default: this host's name
 *   LEVHUB_WORKER_CAPACITY  runs at once; default 4
 *   LEVHUB_WORKER_LABELS    comma-separated: `hostNetwork` (this engine may run granted host-network runs)
 *   LEVHUB_WORKER_DATA_DIR  packages, run directories, spooled events; default ~/.levhub/worker
 *   LEVHUB_WORKER_WARM      workflow containers kept started ahead of runs (0 to 64); default 0
 *   DOCKER_HOST             the engine served; default the local socket
 */
import { hostname } from "node:os";
import path from "node:path";
import { levhubHome } from "../src/config.ts";
import type { WorkerLabels } from "./protocol.ts";
import { unixSocketOf } from "./socket-fetch.ts";
import { MAX_WARM_CONTAINERS } from "../src/run/warm-pool.ts";

export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerConfigError";
  }
}

export interface WorkerConfig {
  hubUrl: string;
  token: string;
  name: string;
  capacity: number;
  labels: WorkerLabels;
  dataDir: string;
  warmContainers: number;
}

const LABELS: readonly (keyof WorkerLabels)[] = ["hostNetwork"];

/** A host name as a worker name: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 64 characters. */
export function nameFromHost(host: string): string {
  const clean = host.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64);
  return clean || "worker";
}

export function workerConfigFromEnv(env: Record<string, string | undefined>): WorkerConfig {
  const need = (key: string) => {
    const v = env[key]?.trim();
    if (!v) throw new WorkerConfigError(`${key} is not set`);
    return v;
  };
  const hubUrl = need("LEVHUB_HUB_URL").replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(hubUrl);
  } catch {
    throw new WorkerConfigError(`LEVHUB_HUB_URL: '${hubUrl}' is not a URL`);
  }
  if (url.protocol === "unix:") {
    if (!unixSocketOf(hubUrl)) throw new WorkerConfigError(`LEVHUB_HUB_URL: '${hubUrl}': a unix socket is unix:/absolute/path`);
  } else if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WorkerConfigError(`LEVHUB_HUB_URL: '${hubUrl}' is not http(s) or unix:/path`);
  }
  const token = need("LEVHUB_WORKER_TOKEN");

  const name = env.LEVHUB_WORKER_NAME?.trim() || nameFromHost(hostname());
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new WorkerConfigError(`LEVHUB_WORKER_NAME: '${name}' must be letters, digits, '.', '_' or '-' (at most 64, not starting with a sign)`);
  }

  const rawCapacity = env.LEVHUB_WORKER_CAPACITY?.trim() || "4";
  const capacity = Number(rawCapacity);
  if (!/^\d+$/.test(rawCapacity) || capacity < 1 || capacity > 256) {
    throw new WorkerConfigError(`LEVHUB_WORKER_CAPACITY: '${rawCapacity}' is not a whole number from 1 to 256`);
  }

  const labels: WorkerLabels = { hostNetwork: false };
  for (const raw of (env.LEVHUB_WORKER_LABELS ?? "").split(",").map((l) => l.trim()).filter(Boolean)) {
    const [key, value = "true"] = raw.split("=", 2).map((p) => p.trim());
    if (!(LABELS as readonly string[]).includes(key)) throw new WorkerConfigError(`LEVHUB_WORKER_LABELS: unknown label '${key}' (known: ${LABELS.join(", ")})`);
    if (value !== "true" && value !== "false") throw new WorkerConfigError(`LEVHUB_WORKER_LABELS: ${key}=${value}: true or false`);
    labels[key as keyof WorkerLabels] = value === "true";
  }

  const dataDir = path.resolve(env.LEVHUB_WORKER_DATA_DIR?.trim() || path.join(levhubHome(), "worker"));

  const rawWarm = env.LEVHUB_WORKER_WARM?.trim() || "0";
  const warmContainers = Number(rawWarm);
  if (!/^\d+$/.test(rawWarm) || warmContainers > MAX_WARM_CONTAINERS) {
    throw new WorkerConfigError(`LEVHUB_WORKER_WARM: '${rawWarm}' is not a whole number from 0 to ${MAX_WARM_CONTAINERS}`);
  }
  return { hubUrl, token, name, capacity, labels, dataDir, warmContainers };
}
