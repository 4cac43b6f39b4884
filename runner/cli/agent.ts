/**
 * `lev agent`: serves this machine's Docker engine (DOCKER_HOST) for one user's device. It is a
 * worker (runner/worker/worker.ts) whose credential is a device token (`ldv_…`, shown once in
 * Settings → My devices): it connects out to the hub over HTTP(S) only, opens no port, holds no
 * database credentials, and the hub hands it only its owner's runs sent to that device. The first
 * Ctrl-C (or SIGTERM) finishes the running runs and takes no new one; a second cancels them.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { levhubHome } from "../src/config.ts";
import { DockerodeEngine, type ContainerEngine } from "../src/engine/engine.ts";
import { nameFromHost } from "../worker/config.ts";
import { startWorker, type WorkerHandle, type WorkerLogger, type WorkerOptions } from "../worker/worker.ts";

export const AGENT_USAGE = `  lev agent [--token-file F] [--url U] [--capacity N] [--name N] [--data-dir D]
      Runs your runs sent to one of your devices on this machine's Docker engine (DOCKER_HOST).
      The device's token (ldv_…, Settings → My devices) comes from LEV_AGENT_TOKEN or from
      --token-file, a file only you may read (chmod 600); never from the command line, where
      every user of the machine can read it. LEV_URL stands in for --url. Ctrl-C finishes the
      running runs and takes no new one; a second Ctrl-C cancels them.`;

/** A bad option or setting: the agent does not start, and says which. */
export class AgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentConfigError";
  }
}

export interface AgentConfig {
  hubUrl: string;
  token: string;
  /** this registration's name (the machine), shown beside the device */
  name: string;
  capacity: number;
  dataDir: string;
}

/** the shape lib/queue/token-kind.ts gives a device credential (32 random bytes, base64url) */
const DEVICE_TOKEN = /^ldv_[A-Za-z0-9_-]{43}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The device token from a file: a regular file of this user's that no one else may read or write
 * (like ssh's private keys), read up to 1 KiB without following a symbolic link.
 */
export function readTokenFile(file: string, uid: number | null = typeof process.getuid === "function" ? process.getuid() : null): string {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    throw new AgentConfigError(`cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new AgentConfigError(`the token file ${file} is not a regular file`);
    if (uid !== null && st.uid !== uid) throw new AgentConfigError(`the token file ${file} belongs to another user`);
    if (st.mode & 0o077) {
      throw new AgentConfigError(`the token file ${file} may be read or changed by other users (mode ${(st.mode & 0o777).toString(8)}): chmod 600 ${file}`);
    }
    const buf = Buffer.alloc(1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8").trim();
  } finally {
    closeSync(fd);
  }
}

/** The agent's settings from its options and environment; every bad value is a clear error. */
export function agentConfig(args: string[], env: Record<string, string | undefined>): AgentConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      options: {
        token: { type: "string" },
        "token-file": { type: "string" },
        url: { type: "string" },
        capacity: { type: "string" },
        name: { type: "string" },
        "data-dir": { type: "string" },
      },
    }));
  } catch (err) {
    throw new AgentConfigError((err as Error).message);
  }
  const rawUrl = (values.url ?? env.LEV_URL ?? "").trim().replace(/\/+$/, "");
  if (!rawUrl) throw new AgentConfigError("the hub's address is missing: --url or LEV_URL");
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new AgentConfigError(`--url '${rawUrl}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new AgentConfigError(`--url '${rawUrl}' is not http(s)`);

  if (values.token !== undefined) {
    throw new AgentConfigError("--token is refused: on the command line the token is readable by every user of this machine (ps). Use LEV_AGENT_TOKEN or --token-file FILE (chmod 600)");
  }
  const fromEnv = (env.LEV_AGENT_TOKEN ?? "").trim();
  if (fromEnv && values["token-file"]) throw new AgentConfigError("give the token once: LEV_AGENT_TOKEN or --token-file, not both");
  const token = values["token-file"] ? readTokenFile(values["token-file"]) : fromEnv;
  if (!token) throw new AgentConfigError("the device token is missing: LEV_AGENT_TOKEN or --token-file FILE (Settings → My devices → Add shows the command)");
  if (!DEVICE_TOKEN.test(token)) throw new AgentConfigError("that is not a device token (ldv_…): add a device in Settings → My devices and use the command shown");

  const name = values.name?.trim() || nameFromHost(hostname());
  if (!NAME.test(name)) throw new AgentConfigError(`--name '${name}' must be letters, digits, '.', '_' or '-' (at most 64, not starting with a sign)`);

  const rawCapacity = values.capacity?.trim() ?? "2";
  const capacity = Number(rawCapacity);
  if (!/^\d+$/.test(rawCapacity) || capacity < 1 || capacity > 256) throw new AgentConfigError(`--capacity '${rawCapacity}' is not a whole number from 1 to 256`);

  // one directory per device credential: two agents of one device on one machine are refused by
  // the data directory's claim, agents of two devices never share packages or spooled events
  const tokenKey = createHash("sha256").update(token).digest("hex").slice(0, 12);
  const dataDir = path.resolve(values["data-dir"]?.trim() || path.join(levhubHome(), `agent-${tokenKey}`));
  return { hubUrl: url.toString().replace(/\/+$/, ""), token, name, capacity, dataDir };
}

export interface AgentIO {
  /** default: the engine of DOCKER_HOST */
  engine?: ContainerEngine;
  /** progress lines (default: stderr) */
  say?: (line: string) => void;
  /** the first abort finishes the running runs; a second cancels them (default: SIGINT and SIGTERM) */
  signals?: { on(listener: () => void): () => void };
  worker?: Partial<WorkerOptions>;
}

const processSignals = {
  on(listener: () => void) {
    process.on("SIGINT", listener);
    process.on("SIGTERM", listener);
    return () => {
      process.off("SIGINT", listener);
      process.off("SIGTERM", listener);
    };
  },
};

/** Starts the agent and serves until it is stopped; resolves with the exit code. */
export async function runAgent(config: AgentConfig, io: AgentIO = {}): Promise<number> {
  const say = io.say ?? ((line: string) => process.stderr.write(line + "\n"));
  const logger: WorkerLogger = (msg, fields) => say(`· ${msg}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ""}`);
  const engine = io.engine ?? new DockerodeEngine();
  if (engine instanceof DockerodeEngine) await engine.ping();
  const registering = new AbortController();
  let worker: WorkerHandle | null = null;
  let signals = 0;
  const off = (io.signals ?? processSignals).on(() => {
    signals++;
    if (!worker) {
      say("stopped before connecting");
      registering.abort();
      return;
    }
    if (signals === 1) {
      say("finishing the running runs, taking no new one (Ctrl-C again to cancel them)");
      void worker.stop({ cancelRunning: false });
    } else {
      say("cancelling the running runs");
      void worker.stop({ cancelRunning: true });
    }
  });
  try {
    say(`connecting to ${config.hubUrl} as ${config.name} (capacity ${config.capacity}, data in ${config.dataDir})`);
    try {
      worker = await startWorker({ ...config, ...io.worker, engine, labels: { hostNetwork: false }, logger, signal: registering.signal });
    } catch (err) {
      if (registering.signal.aborted) return 130;
      throw err;
    }
    say(`connected as device ${worker.device?.name ?? config.name} (instance ${worker.instance})`);
    await worker.done;
    return signals > 1 ? 130 : 0;
  } finally {
    off();
  }
}
