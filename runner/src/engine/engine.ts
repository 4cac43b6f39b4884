import type { Duplex, Readable } from "node:stream";
import Docker from "dockerode";
import type { MacvlanSegment } from "../policy/policy.ts";
import type { ResourceLimits } from "../types.ts";
import { SEGMENT_LABEL } from "./labels.ts";

/** What the runner needs from a container engine. `DockerodeEngine` is the real one; tests may fake it. */
export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  user?: string;
  workingDir?: string;
  binds: string[];
  tmpfs?: Record<string, string>;
  readOnlyRoot: boolean;
  /** "none", "host", or the name of a network */
  network: string;
  aliases?: string[];
  links?: string[];
  extraHosts?: string[];
  /** the container's only DNS servers (a scoped run's responder); absent: the engine's default */
  dns?: string[];
  capAdd: string[];
  limits: ResourceLimits;
  /** Docker's json-file log of the container is capped at this many bytes (one file) */
  logMaxBytes: number;
  init: boolean;
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  ips: Record<string, string>;
  /** the kernel killed it for going over its memory limit (Docker's State.OOMKilled) */
  oomKilled?: boolean;
}

export type OutputListener = (stream: "stdout" | "stderr", chunk: Buffer) => void;

/** A process to run in a running container (`docker exec`), always with a TTY. */
export interface ExecSpec {
  cmd: string[];
  /** `uid:gid`; the engine runs it unprivileged (never Docker's `Privileged`), with no capability of its own */
  user: string;
  env: string[];
  workingDir?: string;
  /** attach a TTY and stdin (a shell); false: run it to its end with no input (a helper command) */
  tty: boolean;
}

/** A process started by `exec`: bytes in, bytes out, its end. */
export interface ExecSession {
  /**
   * bytes for the process's terminal (ignored once it ended); settles once they were handed on,
   * so a caller that waits takes no more input than the process reads (a flood waits upstream)
   */
  write(data: Buffer): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** the process's output as it comes (a TTY merges stdout and stderr) */
  onOutput(listener: (chunk: Buffer) => void): void;
  /** settles once the connection to the process closed (it exited, or `close` was called) */
  readonly closed: Promise<void>;
  /** the exit code once it exited; null while it runs or when the engine cannot say */
  exitCode(): Promise<number | null>;
  /** drops the connection (the process itself goes on: see runner/src/debug/shell.ts) */
  close(): void;
}

export interface EngineResource {
  id: string;
  kind: "container" | "network" | "volume";
  labels: Record<string, string>;
}

export interface ContainerEngine {
  ping(): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** what the engine knows of a local image, or null when it has none by that reference */
  inspectImage(ref: string): Promise<ImageInfo | null>;
  /** pulls a reference from its registry; gives up (EngineError) after `timeoutMs` */
  pullImage(ref: string, opts: { timeoutMs: number; onLog?: (line: string) => void }): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  /** attach before start so no output is lost; resolves once attached */
  attach(id: string, listener: OutputListener): Promise<void>;
  start(id: string): Promise<void>;
  wait(id: string): Promise<number>;
  /** idempotent: a stopped or missing container is not an error */
  kill(id: string, signal?: string): Promise<void>;
  /** idempotent: a missing container is not an error */
  remove(id: string): Promise<void>;
  inspect(id: string): Promise<ContainerState>;
  logsTail(id: string, lines: number): Promise<string>;
  /** `bridgeName`: the Linux interface of the bridge (a scoped run's rules match it by name) */
  createNetwork(name: string, labels: Record<string, string>, options?: { bridgeName?: string }): Promise<string>;
  /**
   * The macvlan network of a LAN segment, created when missing and kept: it is the engine's, shared
   * by every run granted that segment, not any run's (so it carries no run label and no reaper
   * removes it). Idempotent, also when two runs create it at once.
   */
  ensureSegmentNetwork(name: string, segment: MacvlanSegment): Promise<void>;
  /** joins a running container to a network under the given aliases */
  connectNetwork(network: string, containerId: string, aliases: string[]): Promise<void>;
  removeNetwork(id: string): Promise<void>;
  listManaged(labelFilter: string[]): Promise<EngineResource[]>;
  removeVolume(id: string): Promise<void>;
  buildImage(
    context: Readable,
    tag: string,
    labels: Record<string, string>,
    onLog: (line: string) => void,
    options?: BuildOptions,
  ): Promise<string>;
  /** loads a `docker save` archive (image ids stay those of the engine that saved it) */
  loadImage(archive: Readable): Promise<void>;
  /** starts a process in a running container (a debug shell) */
  exec(id: string, spec: ExecSpec): Promise<ExecSession>;
}

export interface ImageInfo {
  /** `sha256:…` */
  id: string;
  /** `repo@sha256:…` for every registry the image came from or was pushed to */
  repoDigests: string[];
}

/** Limits of an image build (Docker's build API has no pids limit; see lib/packages/images.ts). */
export interface BuildOptions {
  memoryBytes?: number;
  /** "none" keeps RUN steps offline; "default" is Docker's bridge */
  networkMode?: "none" | "default";
  /** aborting stops the build (the engine cancels it when the request goes away) */
  signal?: AbortSignal;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: "image_not_found" | "engine_unreachable" | "engine",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EngineError";
  }
}

function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && "statusCode" in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}

export class DockerodeEngine implements ContainerEngine {
  readonly docker: Docker;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker();
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (cause) {
      throw new EngineError(
        `Docker engine does not answer (${process.env.DOCKER_HOST ?? "/var/run/docker.sock"}): run \`npm run setup\``,
        "engine_unreachable",
        { cause },
      );
    }
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    try {
      const info = await this.docker.getImage(ref).inspect();
      return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async pullImage(ref: string, opts: { timeoutMs: number; onLog?: (line: string) => void }): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
    let failure: string | null = null;
    try {
      const stream = (await this.docker.pull(ref, { abortSignal: abort.signal })) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: { status?: string; error?: string }) => {
            if (ev.error) failure = ev.error;
            else if (ev.status && opts.onLog) opts.onLog(ev.status);
          },
        ),
      );
    } catch (cause) {
      if (abort.signal.aborted) {
        throw new EngineError(`pulling '${ref}' took longer than ${Math.round(opts.timeoutMs / 1000)} s`, "engine", { cause });
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new EngineError(`pulling '${ref}' failed: ${message}`, statusOf(cause) === 404 ? "image_not_found" : "engine", { cause });
    } finally {
      clearTimeout(timer);
    }
    if (failure) throw new EngineError(`pulling '${ref}' failed: ${failure}`, "engine");
  }

  async create(spec: ContainerSpec): Promise<string> {
    const endpoints: Docker.EndpointsConfig = {};
    if (!["none", "host", "bridge"].includes(spec.network)) {
      endpoints[spec.network] = { Aliases: spec.aliases ?? [], Links: spec.links ?? [] };
    }
    try {
      const c = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        Entrypoint: spec.entrypoint,
        Cmd: spec.cmd,
        Env: spec.env,
        User: spec.user,
        WorkingDir: spec.workingDir,
        Tty: false,
        AttachStdout: true,
        AttachStderr: true,
        OpenStdin: false,
        HostConfig: {
          Binds: spec.binds,
          Tmpfs: spec.tmpfs,
          ReadonlyRootfs: spec.readOnlyRoot,
          NetworkMode: spec.network,
          ExtraHosts: spec.extraHosts,
          ...(spec.dns ? { Dns: spec.dns } : {}),
          CapDrop: ["ALL"],
          CapAdd: spec.capAdd,
          SecurityOpt: ["no-new-privileges"],
          Memory: spec.limits.memoryBytes,
          MemorySwap: spec.limits.memoryBytes,
          NanoCpus: spec.limits.nanoCpus,
          PidsLimit: spec.limits.pids,
          Init: spec.init,
          Privileged: false,
          LogConfig: { Type: "json-file", Config: { "max-size": String(spec.logMaxBytes), "max-file": "1" } },
        },
        NetworkingConfig: { EndpointsConfig: endpoints },
      });
      return c.id;
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new EngineError(`image '${spec.image}' is not available on this Docker engine`, "image_not_found", {
          cause: err,
        });
      }
      throw err;
    }
  }

  async attach(id: string, listener: OutputListener): Promise<void> {
    // every caller attaches before it starts the container, so the stream alone sees all output;
    // `logs: true` (replay, then stream) delivered an introspection's manifest twice on a loaded engine
    const stream = (await this.docker
      .getContainer(id)
      .attach({ stream: true, stdout: true, stderr: true, logs: false })) as unknown as Readable;
    // Docker multiplexes stdout/stderr in 8-byte-header frames when there is no TTY.
    let pending: Buffer = Buffer.alloc(0);
    stream.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const kind = pending[0] === 2 ? "stderr" : "stdout";
        listener(kind, pending.subarray(8, 8 + size));
        pending = pending.subarray(8 + size);
      }
    });
    stream.on("error", () => undefined);
  }

  async start(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async wait(id: string): Promise<number> {
    const res = (await this.docker.getContainer(id).wait()) as { StatusCode: number };
    return res.StatusCode;
  }

  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404 || s === 409 || s === 304) return;
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404 || s === 409) return; // gone, or removal already in progress
      throw err;
    }
  }

  async inspect(id: string): Promise<ContainerState> {
    const info = await this.docker.getContainer(id).inspect();
    const ips: Record<string, string> = {};
    for (const [net, ep] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
      if (ep.IPAddress) ips[net] = ep.IPAddress;
    }
    return { running: info.State.Running, exitCode: info.State.ExitCode, ips, oomKilled: info.State.OOMKilled === true };
  }

  async logsTail(id: string, lines: number): Promise<string> {
    const buf = (await this.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    // strip the multiplexing headers
    const out: Buffer[] = [];
    let i = 0;
    while (i + 8 <= buf.length) {
      const size = buf.readUInt32BE(i + 4);
      out.push(buf.subarray(i + 8, i + 8 + size));
      i += 8 + size;
    }
    return Buffer.concat(out).toString("utf8");
  }

  async createNetwork(name: string, labels: Record<string, string>, options?: { bridgeName?: string }): Promise<string> {
    const net = await this.docker.createNetwork({
      Name: name,
      Driver: "bridge",
      Labels: labels,
      CheckDuplicate: true,
      ...(options?.bridgeName ? { Options: { "com.docker.network.bridge.name": options.bridgeName } } : {}),
    });
    return net.id;
  }

  async ensureSegmentNetwork(name: string, segment: MacvlanSegment): Promise<void> {
    const exists = async () => (await this.docker.listNetworks({ filters: JSON.stringify({ name: [name] }) })).some((n) => n.Name === name);
    if (await exists()) return;
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: "macvlan",
        CheckDuplicate: true,
        Options: { parent: segment.parent },
        IPAM: {
          Driver: "default",
          Config: [{ Subnet: segment.subnet, ...(segment.ipRange ? { IPRange: segment.ipRange } : {}), ...(segment.gateway ? { Gateway: segment.gateway } : {}) }],
        },
        Labels: { [SEGMENT_LABEL]: segment.parent },
      });
    } catch (err) {
      // another run created it meanwhile; anything else (no such parent, the parent already has a
      // macvlan network of other settings) is the engine's own words
      if (await exists()) return;
      throw new EngineError(`the LAN segment on ${segment.parent} (${segment.subnet}): ${err instanceof Error ? err.message : String(err)}`, "engine", { cause: err });
    }
  }

  async connectNetwork(network: string, containerId: string, aliases: string[]): Promise<void> {
    await this.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: { Aliases: aliases } });
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw err;
    }
  }

  async listManaged(labelFilter: string[]): Promise<EngineResource[]> {
    const filters = JSON.stringify({ label: labelFilter });
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return [
      ...containers.map((c) => ({ id: c.Id, kind: "container" as const, labels: c.Labels ?? {} })),
      ...networks.map((n) => ({ id: n.Id, kind: "network" as const, labels: n.Labels ?? {} })),
      ...(volumes.Volumes ?? []).map((v) => ({
        id: v.Name,
        kind: "volume" as const,
        labels: (v.Labels as Record<string, string> | null) ?? {},
      })),
    ];
  }

  async removeVolume(id: string): Promise<void> {
    try {
      await this.docker.getVolume(id).remove({ force: true });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw err;
    }
  }

  async buildImage(
    context: Readable,
    tag: string,
    labels: Record<string, string>,
    onLog: (line: string) => void,
    options: BuildOptions = {},
  ): Promise<string> {
    const stream = await this.docker.buildImage(context, {
      // the classic builder, named rather than left to the engine's default: the hub checks
      // Dockerfiles by this builder's parser (lib/packages/dockerfile-syntax.ts)
      version: "1",
      t: tag,
      labels,
      rm: true,
      forcerm: true,
      pull: false,
      ...(options.memoryBytes ? { memory: options.memoryBytes, memswap: options.memoryBytes } : {}),
      ...(options.networkMode ? { networkmode: options.networkMode } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
    let failure: string | null = null;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (ev: { stream?: string; error?: string; status?: string }) => {
          if (ev.stream) for (const l of ev.stream.split("\n")) if (l.trim()) onLog(l);
          if (ev.status) onLog(ev.status);
          if (ev.error) {
            failure = ev.error;
            onLog(ev.error);
          }
        },
      ),
    );
    // an aborted request may end the stream quietly: never take an older image of the tag for this build
    options.signal?.throwIfAborted();
    if (failure) throw new EngineError(`image build failed: ${failure}`, "engine");
    const info = await this.docker.getImage(tag).inspect();
    return info.Id;
  }

  async exec(id: string, spec: ExecSpec): Promise<ExecSession> {
    const exec = await this.docker.getContainer(id).exec({
      Cmd: spec.cmd,
      User: spec.user,
      Env: spec.env,
      WorkingDir: spec.workingDir,
      Privileged: false,
      Tty: spec.tty,
      AttachStdin: spec.tty,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: spec.tty, Tty: spec.tty })) as unknown as Duplex;
    const listeners: ((chunk: Buffer) => void)[] = [];
    // without a TTY, Docker multiplexes stdout and stderr in 8-byte-header frames
    let pending: Buffer = Buffer.alloc(0);
    stream.on("data", (chunk: Buffer) => {
      if (spec.tty) {
        for (const l of listeners) l(chunk);
        return;
      }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        for (const l of listeners) l(pending.subarray(8, 8 + size));
        pending = pending.subarray(8 + size);
      }
    });
    stream.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => {
      stream.once("close", () => resolve());
      stream.once("end", () => resolve());
    });
    return {
      write: (data) =>
        new Promise<void>((resolve) => {
          if (stream.destroyed || !stream.writable) return resolve();
          stream.write(data, () => resolve());
        }),
      resize: async (cols, rows) => {
        await exec.resize({ w: cols, h: rows });
      },
      onOutput: (l) => void listeners.push(l),
      closed,
      exitCode: async () => {
        const info = (await exec.inspect()) as { Running: boolean; ExitCode: number | null };
        return info.Running ? null : info.ExitCode;
      },
      close: () => stream.destroy(),
    };
  }

  async loadImage(archive: Readable): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.loadImage(archive, { quiet: true })) as NodeJS.ReadableStream;
    } catch (cause) {
      throw new EngineError(`loading an image failed: ${cause instanceof Error ? cause.message : String(cause)}`, "engine", { cause });
    }
    let failure: string | null = null;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (ev: { error?: string }) => {
          if (ev.error) failure = ev.error;
        },
      ),
    );
    if (failure) throw new EngineError(`loading an image failed: ${failure}`, "engine");
  }
}
