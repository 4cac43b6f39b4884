/**
 * Images reach a worker's engine from the hub: there is no registry. This engine decorator
 * catches every way the runner finds an image missing — `imageExists`/`inspectImage` before a
 * task (src/run/run-images.ts) and `create` failing with image_not_found (the workflow and planner
 * containers are created directly) — and then streams `GET /api/worker/images/{ref}` (a
 * `docker save` archive) into the engine's `loadImage`, once per reference even when several
 * runs need it at the same moment. `docker save`/`load` keeps image ids, so an id the hub pinned
 * (`sha256:…`) names the same bytes here. An image the hub does not have (404) stays missing and
 * the runner reports it as it always does.
 */
import { Readable } from "node:stream";
import type { BuildOptions, ContainerEngine, ContainerSpec, EngineResource, ExecSession, ExecSpec, ImageInfo, OutputListener } from "../src/engine/engine.ts";
import { EngineError } from "../src/engine/engine.ts";
import type { MacvlanSegment } from "../src/policy/policy.ts";
import { HubError, type HubClient } from "./hub-client.ts";
import { INSTANCE_HEADER } from "./protocol.ts";

/** how long one image download may be retried while the hub is unreachable */
const IMAGE_RETRY_MS = 60_000;

export class HubImageEngine implements ContainerEngine {
  private readonly loading = new Map<string, Promise<boolean>>();

  constructor(
    readonly inner: ContainerEngine,
    private readonly hub: HubClient,
    /** the worker's instance now: the hub serves images of the runs it holds */
    private readonly instance: () => string,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** Loads `ref` from the hub; true when the hub had it. Concurrent callers share one download. */
  fetchImage(ref: string): Promise<boolean> {
    let p = this.loading.get(ref);
    if (!p) {
      p = this.load(ref).finally(() => this.loading.delete(ref));
      this.loading.set(ref, p);
    }
    return p;
  }

  private async load(ref: string): Promise<boolean> {
    const t0 = Date.now();
    let res: Response;
    try {
      res = await this.hub.get(`/api/worker/images/${encodeURIComponent(ref)}`, { retryForMs: IMAGE_RETRY_MS, headers: { [INSTANCE_HEADER]: this.instance() } });
    } catch (err) {
      // not there, or not for a run this worker holds: to the run, the image is not available
      if (err instanceof HubError && !err.transient) {
        this.log("the hub has no image for this worker", { image: ref, status: err.status, error: err.message });
        return false;
      }
      throw new EngineError(`image '${ref}' could not be fetched from the hub: ${(err as Error).message}`, "engine", { cause: err });
    }
    if (!res.body) throw new EngineError(`image '${ref}': the hub sent no archive`, "engine");
    await this.inner.loadImage(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>));
    this.log("image loaded from the hub", { image: ref, ms: Date.now() - t0 });
    return true;
  }

  async imageExists(ref: string): Promise<boolean> {
    if (await this.inner.imageExists(ref)) return true;
    return (await this.fetchImage(ref)) && this.inner.imageExists(ref);
  }

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    const info = await this.inner.inspectImage(ref);
    if (info) return info;
    return (await this.fetchImage(ref)) ? this.inner.inspectImage(ref) : null;
  }

  async create(spec: ContainerSpec): Promise<string> {
    try {
      return await this.inner.create(spec);
    } catch (err) {
      if (!(err instanceof EngineError && err.code === "image_not_found")) throw err;
      if (!(await this.fetchImage(spec.image))) throw err;
      return this.inner.create(spec);
    }
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }
  pullImage(ref: string, opts: { timeoutMs: number; onLog?: (line: string) => void }): Promise<void> {
    return this.inner.pullImage(ref, opts);
  }
  attach(id: string, listener: OutputListener): Promise<void> {
    return this.inner.attach(id, listener);
  }
  start(id: string): Promise<void> {
    return this.inner.start(id);
  }
  wait(id: string): Promise<number> {
    return this.inner.wait(id);
  }
  kill(id: string, signal?: string): Promise<void> {
    return this.inner.kill(id, signal);
  }
  remove(id: string): Promise<void> {
    return this.inner.remove(id);
  }
  inspect(id: string) {
    return this.inner.inspect(id);
  }
  logsTail(id: string, lines: number): Promise<string> {
    return this.inner.logsTail(id, lines);
  }
  createNetwork(name: string, labels: Record<string, string>, options?: { bridgeName?: string }): Promise<string> {
    return this.inner.createNetwork(name, labels, options);
  }
  ensureSegmentNetwork(name: string, segment: MacvlanSegment): Promise<void> {
    return this.inner.ensureSegmentNetwork(name, segment);
  }
  connectNetwork(network: string, containerId: string, aliases: string[]): Promise<void> {
    return this.inner.connectNetwork(network, containerId, aliases);
  }
  removeNetwork(id: string): Promise<void> {
    return this.inner.removeNetwork(id);
  }
  listManaged(labelFilter: string[]): Promise<EngineResource[]> {
    return this.inner.listManaged(labelFilter);
  }
  removeVolume(id: string): Promise<void> {
    return this.inner.removeVolume(id);
  }
  buildImage(context: Readable, tag: string, labels: Record<string, string>, onLog: (line: string) => void, options?: BuildOptions): Promise<string> {
    return this.inner.buildImage(context, tag, labels, onLog, options);
  }
  loadImage(archive: Readable): Promise<void> {
    return this.inner.loadImage(archive);
  }
  exec(id: string, spec: ExecSpec): Promise<ExecSession> {
    return this.inner.exec(id, spec);
  }
}
