/**
 * A test double of the hub's side of the worker protocol (runner/worker/protocol.ts): a real HTTP
 * server on 127.0.0.1 that validates every request with the protocol's own schemas, hands out
 * the assignments a test queues, records events by seq (each applied once, in order), stores
 * documents in memory and serves package archives and image archives. Like the hub, it wants
 * every request but a registration to name its instance in INSTANCE_HEADER (the body's, when it
 * has one), and it counts the requests in flight the hub would count. Faults on demand: the hub
 * unreachable (connections dropped), answers lost after the work was done, the store answering
 * 503, an instance declared lost (410).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  eventsRequestSchema,
  INSTANCE_HEADER,
  heartbeatRequestSchema,
  pollRequestSchema,
  registerRequestSchema,
  storeRequestSchema,
  type CancelOrder,
  type RegisterRequest,
  type ReportedEvent,
  type RunAssignment,
} from "../worker/protocol.ts";

export const FAKE_TOKEN = "lwk_test-token";

export interface FakeHubRun {
  events: { seq: number; event: ReportedEvent }[];
  /** each events request: how many events, and the bytes of its JSON */
  batches: { events: number; bytes: number }[];
  /** batches that carried seqs already recorded */
  resent: number;
  cancel?: string;
}

export class FakeHub {
  readonly registrations: (RegisterRequest & { instance: string })[] = [];
  readonly heartbeats: { instance: string; running: string[] }[] = [];
  readonly runs = new Map<string, FakeHubRun>();
  readonly docs = new Map<string, Record<string, unknown>>();
  readonly storeCalls: string[] = [];
  readonly packages = new Map<string, Buffer>();
  readonly images = new Map<string, Buffer>();
  /** the files runs were given (`levrt.File`), by sha256 */
  readonly files = new Map<string, Buffer>();
  readonly downloads: string[] = [];
  readonly queue: RunAssignment[] = [];
  /** cancel orders the next poll or heartbeat carries */
  readonly cancels: CancelOrder[] = [];
  lostInstances: string[] = [];
  heartbeatMs = 100;
  pollMs = 200;
  /** every connection is dropped: the hub is unreachable */
  down = false;
  /** this many event answers are lost after the events were recorded */
  dropEventAnswers = 0;
  /** this many store writes answer 503 (the results store is down) */
  store503 = 0;
  /** package downloads wait this long before answering */
  packageDelayMs = 0;
  /** events and store requests wait this long before answering (so that a worker's requests overlap) */
  reportDelayMs = 0;
  /** instances whose heartbeat and poll answer 410 */
  readonly gone = new Set<string>();
  /** the limit of requests in flight the registration names (none when null) */
  requestsInFlight: number | null = null;
  /** requests in flight now (long polls aside, as the hub counts them), and the most seen at once */
  inFlight = 0;
  maxInFlight = 0;
  /** requests whose INSTANCE_HEADER was missing or named another instance than their body */
  readonly unnamed: string[] = [];
  private server!: http.Server;
  url = "";

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      if (this.down) {
        req.socket.destroy();
        return;
      }
      const metered = req.url !== "/api/worker/poll";
      if (metered) this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      void this.handle(req, res)
        .catch((err: Error) => this.send(res, 500, { error: { code: "internal", message: err.message } }))
        .finally(() => {
          if (metered) this.inFlight--;
        });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  run(id: string): FakeHubRun {
    let r = this.runs.get(id);
    if (!r) this.runs.set(id, (r = { events: [], batches: [], resent: 0 }));
    return r;
  }

  finished(id: string): Extract<ReportedEvent, { type: "run.finished" }> | undefined {
    const last = this.runs.get(id)?.events.at(-1)?.event;
    return last?.type === "run.finished" ? last : undefined;
  }

  /** Each task of a run as last reported (a run's end reports its tasks as `task.finished` events before `run.finished`). */
  tasks(id: string): Extract<ReportedEvent, { type: "task.finished" }>["task"][] {
    const last = new Map<number, Extract<ReportedEvent, { type: "task.finished" }>["task"]>();
    for (const { event } of this.runs.get(id)?.events ?? []) {
      if (event.type === "task.started" || event.type === "task.finished") last.set(event.task.number, event.task);
      if (event.type === "run.finished") for (const t of event.tasks) last.set(t.number, t);
    }
    return [...last.values()].sort((a, b) => a.number - b.number);
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
  }

  private live(instance: string): boolean {
    return this.registrations.some((r) => r.instance === instance) && !this.gone.has(instance);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) return this.send(res, 401, { error: { code: "unauthorized", message: "no worker credential" } });
    const url = new URL(req.url ?? "/", this.url);
    const bad = (message: string) => this.send(res, 400, { error: { code: "invalid", message } });
    if (req.method === "GET") {
      const pkg = /^\/api\/worker\/packages\/([0-9a-f]{64})$/.exec(url.pathname);
      const img = /^\/api\/worker\/images\/(.+)$/.exec(url.pathname);
      const file = /^\/api\/worker\/files\/([0-9a-f]{64})$/.exec(url.pathname);
      const data = pkg ? this.packages.get(pkg[1]) : img ? this.images.get(decodeURIComponent(img[1])) : file ? this.files.get(file[1]) : undefined;
      if (!data) return this.send(res, 404, { error: { code: "not_found", message: "no such file" } });
      // the hub serves files only to an instance that holds a run using them
      if (!this.live(String(req.headers[INSTANCE_HEADER] ?? ""))) return this.send(res, 404, { error: { code: "not_found", message: "not for this instance" } });
      this.downloads.push(url.pathname);
      if (pkg && this.packageDelayMs) await new Promise((w) => setTimeout(w, this.packageDelayMs));
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(data);
    }
    const body = await this.body(req);
    const named = req.headers[INSTANCE_HEADER];
    if (url.pathname !== "/api/worker/register" && (!named || named !== (body as { instance?: unknown } | null)?.instance)) this.unnamed.push(url.pathname);
    switch (url.pathname) {
      case "/api/worker/register": {
        const r = registerRequestSchema.safeParse(body);
        if (!r.success) return bad(r.error.message);
        const instance = randomUUID();
        this.registrations.push({ ...r.data, instance });
        const limits = this.requestsInFlight === null ? {} : { limits: { requestsInFlight: this.requestsInFlight } };
        return this.send(res, 200, { workerId: "w1", instance, heartbeatMs: this.heartbeatMs, pollMs: this.pollMs, lostInstances: this.lostInstances, ...limits });
      }
      case "/api/worker/heartbeat": {
        const r = heartbeatRequestSchema.safeParse(body);
        if (!r.success) return bad(r.error.message);
        if (!this.live(r.data.instance)) return this.send(res, 410, { error: { code: "gone", message: "this instance was declared lost" } });
        this.heartbeats.push(r.data);
        return this.send(res, 200, { cancel: this.cancels.splice(0), ended: [] });
      }
      case "/api/worker/poll": {
        const r = pollRequestSchema.safeParse(body);
        if (!r.success) return bad(r.error.message);
        const until = Date.now() + Math.min(r.data.waitMs, this.pollMs);
        while (Date.now() < until && !this.queue.length && !this.cancels.length && this.live(r.data.instance)) await new Promise((w) => setTimeout(w, 10));
        if (!this.live(r.data.instance)) return this.send(res, 410, { error: { code: "gone", message: "this instance was declared lost" } });
        return this.send(res, 200, { assign: this.queue.splice(0, r.data.free), cancel: this.cancels.splice(0) });
      }
    }
    const m = /^\/api\/worker\/runs\/([^/]+)\/(events|store)$/.exec(url.pathname);
    if (!m) return this.send(res, 404, { error: { code: "not_found", message: url.pathname } });
    if (this.reportDelayMs) await new Promise((w) => setTimeout(w, this.reportDelayMs));
    const run = this.run(decodeURIComponent(m[1]));
    if (m[2] === "events") {
      const r = eventsRequestSchema.safeParse(body);
      if (!r.success) return bad(r.error.message);
      run.batches.push({ events: r.data.events.length, bytes: Buffer.byteLength(JSON.stringify(body)) });
      let acked = run.events.at(-1)?.seq ?? 0;
      if (r.data.events.some((e) => e.seq <= acked)) run.resent++;
      for (const e of r.data.events) {
        if (e.seq !== acked + 1) continue;
        run.events.push(e);
        acked = e.seq;
      }
      if (this.dropEventAnswers > 0) {
        this.dropEventAnswers--;
        req.socket.destroy();
        return;
      }
      return this.send(res, 200, { acked, ...(run.cancel ? { cancel: run.cancel } : {}) });
    }
    const r = storeRequestSchema.safeParse(body);
    if (!r.success) return bad(r.error.message);
    const s = r.data;
    this.storeCalls.push(s.op);
    if ((s.op === "put" || s.op === "merge" || s.op === "putMany") && this.store503 > 0) {
      this.store503--;
      return this.send(res, 503, { error: { code: "unavailable", message: "the results store is down" } });
    }
    if (s.op === "putMany") {
      for (const d of s.docs) this.docs.set(`${d.coll}#${m[1]}#${d.task}`, d.fields);
      return this.send(res, 200, { ok: true });
    }
    const key = (task: number) => `${s.coll}#${m[1]}#${task}`;
    if (s.op === "put") this.docs.set(key(s.task), s.fields);
    else if (s.op === "merge") this.docs.set(key(s.task), { ...this.docs.get(key(s.task)), ...s.fields });
    else if (s.op === "findOne") return this.send(res, 200, { doc: this.docs.get(key(s.task)) ?? null });
    else return this.send(res, 200, { docs: [...this.docs.entries()].filter(([k]) => k.startsWith(`${s.coll}#${m[1]}#`)).map(([, d]) => d) });
    return this.send(res, 200, { ok: true });
  }
}
