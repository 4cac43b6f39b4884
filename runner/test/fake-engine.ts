/**
 * Test doubles for Run's unit tests: a ContainerEngine that keeps containers in memory (the test
 * decides when each exits), an in-memory ResultStore, and a client for the runner's real channel
 * sockets (which the fake containers' binds point at).
 */
import net from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { EngineError, type ContainerEngine, type ContainerSpec, type ContainerState, type EngineResource, type ExecSession, type ExecSpec, type ImageInfo, type OutputListener } from "../src/engine/engine.ts";
import type { ResultStore, StoredMeta } from "../src/store/store.ts";

export interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  running: boolean;
  started: boolean;
  removed: boolean;
  exitCode: number | null;
  listener: OutputListener | null;
  exited: Promise<number>;
  exit: (code: number) => void;
}

export class FakeEngine implements ContainerEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set(["levhub/python:bookworm", "levhub/nmap:bookworm"]);
  readonly calls: string[] = [];
  /** make `start` of a container fail (by name) */
  failStart: (spec: ContainerSpec) => boolean = () => false;
  /** called when a container starts: a test can play the workflow or a tool there */
  onStart: (c: FakeContainer) => void = () => undefined;
  /** containers (by id) the kernel killed for memory: `inspect` reports OOMKilled */
  readonly oomKilled = new Set<string>();
  /** archives `loadImage` received, each as the image references it names (one per line) */
  readonly loaded: string[] = [];
  private next = 0;

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.spec.name === name);
  }

  tools(): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.spec.labels["zone.lev.role"] === "tool");
  }

  alive(): FakeContainer[] {
    return [...this.containers.values()].filter((c) => !c.removed);
  }

  /** the host path of the channel socket mounted into a container */
  static socketOf(c: FakeContainer): string {
    const bind = c.spec.binds.find((b) => b.includes(":/lev/chan:"))!;
    return path.join(bind.split(":")[0], "lev.sock");
  }

  async ping() {}

  async imageExists(ref: string) {
    return this.images.has(ref);
  }

  /** images a fake registry serves: reference → digest; `pullImage` copies them into `images` */
  readonly registry = new Map<string, string>();
  readonly digests = new Map<string, string>();

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    if (!this.images.has(ref)) return null;
    const digest = this.digests.get(ref);
    const repo = ref.replace(/:[^/:]+$/, "");
    return { id: `sha256:${Buffer.from(ref).toString("hex").padEnd(64, "0").slice(0, 64)}`, repoDigests: digest ? [`${repo}@${digest}`] : [] };
  }

  async pullImage(ref: string): Promise<void> {
    this.calls.push(`pull ${ref}`);
    const digest = this.registry.get(ref);
    if (!digest) throw new EngineError(`pulling '${ref}' failed: not found`, "image_not_found");
    const repo = ref.replace(/:[^/:]+$/, "");
    this.images.add(ref);
    this.images.add(`${repo}@${digest}`);
    this.digests.set(ref, digest);
  }

  async create(spec: ContainerSpec): Promise<string> {
    this.calls.push(`create ${spec.name}`);
    if (!this.images.has(spec.image)) throw new EngineError(`image '${spec.image}' is not available`, "image_not_found");
    // zeros in front: padded at the end, container 1 and container 10 had the same id
    const id = `c${String(++this.next).padStart(15, "0")}`;
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => (exit = r));
    const c: FakeContainer = { id, spec, running: false, started: false, removed: false, exitCode: null, listener: null, exited, exit: () => undefined };
    c.exit = (code) => {
      if (c.exitCode !== null) return;
      c.running = false;
      c.exitCode = code;
      exit(code);
    };
    this.containers.set(id, c);
    return id;
  }

  async attach(id: string, listener: OutputListener) {
    this.containers.get(id)!.listener = listener;
  }

  async start(id: string) {
    const c = this.containers.get(id)!;
    this.calls.push(`start ${c.spec.name}`);
    if (this.failStart(c.spec)) throw new Error(`cannot start ${c.spec.name}`);
    c.running = true;
    c.started = true;
    this.onStart(c);
  }

  wait(id: string): Promise<number> {
    return this.containers.get(id)!.exited;
  }

  async kill(id: string, signal = "SIGKILL") {
    const c = this.containers.get(id);
    this.calls.push(`kill ${c?.spec.name} ${signal}`);
    if (c?.running) c.exit(signal === "SIGKILL" ? 137 : 130);
  }

  async remove(id: string) {
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`remove ${c.spec.name}`);
    c.exit(137);
    c.removed = true;
  }

  async inspect(id: string): Promise<ContainerState> {
    const c = this.containers.get(id)!;
    return { running: c.running, exitCode: c.exitCode ?? 0, ips: {}, oomKilled: this.oomKilled.has(id) };
  }

  async logsTail() {
    return "";
  }

  async createNetwork(name: string) {
    return name;
  }

  async ensureSegmentNetwork() {}

  async connectNetwork() {}

  async removeNetwork(_id: string) {}

  async listManaged(): Promise<EngineResource[]> {
    return [];
  }

  async removeVolume() {}

  async buildImage(_c: Readable, _t: string, _l: Record<string, string>, _o: (line: string) => void): Promise<string> {
    throw new Error("the fake engine builds nothing");
  }

  /** the fake's archive format: the image references it holds, one per line */
  async loadImage(archive: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of archive) chunks.push(c as Buffer);
    const refs = Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean);
    this.calls.push(`load ${refs.join(",")}`);
    for (const r of refs) {
      this.images.add(r);
      this.loaded.push(r);
    }
  }

  /** processes started by `exec`, in order: a test reads what was typed and plays the process */
  readonly execs: FakeExec[] = [];

  async exec(id: string, spec: ExecSpec): Promise<ExecSession> {
    const c = this.containers.get(id);
    if (!c?.running) throw new EngineError(`container ${id} is not running`, "engine");
    this.calls.push(`exec ${c.spec.name} ${spec.cmd.join(" ")}`);
    const listeners: ((chunk: Buffer) => void)[] = [];
    let close!: () => void;
    const closed = new Promise<void>((r) => (close = r));
    const x: FakeExec = { container: c, spec, input: [], sizes: [], code: null, print: (s) => listeners.forEach((l) => l(Buffer.from(s))), exit: (code) => ((x.code = code), close()) };
    this.execs.push(x);
    void c.exited.then(() => x.exit(137));
    return {
      write: async (d) => void x.input.push(d.toString("utf8")),
      resize: async (cols, rows) => void x.sizes.push([cols, rows]),
      onOutput: (l) => void listeners.push(l),
      closed,
      exitCode: async () => x.code,
      close: () => close(),
    };
  }
}

export interface FakeExec {
  container: FakeContainer;
  spec: ExecSpec;
  /** what was written to it */
  input: string[];
  sizes: [number, number][];
  code: number | null;
  print(s: string): void;
  exit(code: number): void;
}

export class MemoryStore implements ResultStore {
  readonly docs = new Map<string, Record<string, unknown>>();
  failPut = false;
  /** puts that fail before the store answers again (a store down for a while) */
  failPuts = 0;
  putAttempts = 0;
  private job = 0;

  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, _meta: StoredMeta) {
    this.putAttempts++;
    if (this.failPut) throw new Error("the store is down");
    if (this.failPuts > 0) {
      this.failPuts--;
      throw new Error("the store is down for now");
    }
    this.docs.set(`${coll}#${job}#${task}`, fields);
  }

  async merge(coll: string, job: number, task: number, fields: Record<string, unknown>, _meta: StoredMeta) {
    const key = `${coll}#${job}#${task}`;
    this.docs.set(key, { ...this.docs.get(key), ...fields });
  }

  async findOne(coll: string, job: number, task: number) {
    return this.docs.get(`${coll}#${job}#${task}`) ?? null;
  }

  async findRun() {
    return [];
  }

  async nextJob() {
    return ++this.job;
  }

  async close() {}
}

/** A client of a runner channel: `request` resolves with the answer (or the `id: null` one). */
export async function channelClient(socketPath: string) {
  const s = net.connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    s.once("connect", resolve);
    s.once("error", reject);
  });
  let buf = "";
  let next = 0;
  const waiting = new Map<number | null, (msg: Record<string, unknown>) => void>();
  s.setEncoding("utf8");
  s.on("data", (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i)) as { id: number | null };
      buf = buf.slice(i + 1);
      // `id: null` answers the request the runner refused before reading it whole: the oldest
      const key = msg.id === null ? [...waiting.keys()][0] : msg.id;
      const w = waiting.get(key);
      waiting.delete(key);
      w?.(msg);
    }
  });
  return {
    request(op: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
      const id = ++next;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        s.write(JSON.stringify({ id, op, ...fields }) + "\n");
      });
    },
    close: () => s.destroy(),
  };
}
