/**
 * What every case of the fault suite checks: no hung run (a final state within a bound), no
 * leftover container (on every engine), no lost result (documents and log lines all there),
 * and where a run's containers ran (the engines' own event streams).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { isTerminal, LABEL } from "../../runner/src/index.ts";
import type { RunDetail, RunDocument, Viewer } from "../types.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const HELLO = path.join(REPO, "examples/levhub.hello");
export const PROBE = path.join(REPO, "runner/test/fixtures/faults.probe");
export const IMAGE = "levhub/python:bookworm";


/** The run once it is final; fails the test (naming the state it hung in) after `ms`. */
export async function settled(viewer: Viewer, runId: string, ms: number): Promise<RunDetail> {
  const { getRun } = await import("../runs/index.ts");
  const until = Date.now() + ms;
  let run = await getRun(viewer, runId);
  while (!isTerminal(run.status)) {
    if (Date.now() > until) throw new Error(`run ${runId} hung: still '${run.status}' after ${ms / 1000} s (worker ${run.worker ?? "none"})`);
    await new Promise((r) => setTimeout(r, 100));
    run = await getRun(viewer, runId);
  }
  return run;
}

/** Waits until `cond` holds for the run (it is running, it has a log line, …). */
export async function until(viewer: Viewer, runId: string, what: string, cond: (run: RunDetail) => boolean, ms = 60_000): Promise<RunDetail> {
  const { getRun } = await import("../runs/index.ts");
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await getRun(viewer, runId);
    if (cond(run)) return run;
    if (isTerminal(run.status)) throw new Error(`run ${runId} ended '${run.status}' before ${what}: ${JSON.stringify(run.error)}`);
    if (Date.now() > deadline) throw new Error(`run ${runId}: no ${what} within ${ms / 1000} s (status '${run.status}')`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function documents(viewer: Viewer, runId: string): Promise<RunDocument[]> {
  const { runDocuments } = await import("../runs/index.ts");
  return runDocuments(viewer, runId);
}

export const logLines = (run: RunDetail, task?: number) => run.logs.filter((l) => task === undefined || l.task === task).map((l) => l.line);

/** Containers and networks of a run still on an engine (by the labels the runner puts on everything). */
export async function leftovers(docker: Docker, runId: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${LABEL.run}=${runId}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return [...containers.map((c) => `container ${c.Names[0]} (${c.State})`), ...networks.map((n) => `network ${n.Name}`)];
}

/** Leftovers of a run on every engine, waiting a little: removal follows the final event by a moment. */
export async function noLeftovers(engines: Record<string, Docker>, runId: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found: string[] = [];
    for (const [name, docker] of Object.entries(engines)) for (const l of await leftovers(docker, runId)) found.push(`${name}: ${l}`);
    if (found.length === 0) return;
    if (Date.now() > deadline) throw new Error(`run ${runId} left ${found.join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ContainerEvent {
  engine: string;
  action: string;
  run: string;
  role: string;
  /** the engine's own clock, ms since the epoch */
  at: number;
}

/** Records container events of labelled (runner) containers on several engines from now on. */
export async function watchEngines(engines: Record<string, Docker>): Promise<{ events: ContainerEvent[]; stop(): void }> {
  const events: ContainerEvent[] = [];
  const streams: NodeJS.ReadableStream[] = [];
  for (const [engine, docker] of Object.entries(engines)) {
    const stream = (await docker.getEvents({ filters: JSON.stringify({ type: ["container"], label: [`${LABEL.managed}=1`] }) })) as NodeJS.ReadableStream;
    let buf = "";
    stream.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const e = JSON.parse(line) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } };
          const a = e.Actor.Attributes;
          events.push({ engine, action: e.Action, run: a[LABEL.run] ?? "", role: a[LABEL.role] ?? "", at: e.timeNano / 1e6 });
        } catch {
          // a partial line is completed by the next chunk
        }
      }
    });
    stream.on("error", () => undefined);
    streams.push(stream);
  }
  return {
    events,
    stop: () => streams.forEach((s) => (s as unknown as { destroy(): void }).destroy()),
  };
}

export interface SseEvent {
  /** the `id:` in force when the event came (the last log seq) */
  id: string | null;
  event: string;
  data: unknown;
}

/**
 * Reads `GET /api/runs/{id}/events` as a browser's EventSource would (sending `Last-Event-ID`
 * when resuming) until `stop` says so, the stream ends or breaks (a killed hub). Returns what
 * came and how it ended; never throws for a broken stream.
 */
export async function readRunStream(
  url: string,
  token: string,
  opts: { lastEventId?: string | null; stop?: (ev: SseEvent, all: SseEvent[]) => boolean; onEvent?: (ev: SseEvent) => void; signal?: AbortSignal },
): Promise<{ events: SseEvent[]; lastEventId: string | null; ended: "stopped" | "closed" | "broken" }> {
  const events: SseEvent[] = [];
  let lastEventId = opts.lastEventId ?? null;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const abort = new AbortController();
  opts.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status} ${await res.text()}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let data: string[] = [];
    let event = "message";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events, lastEventId, ended: "closed" };
      buf += value;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, "");
        buf = buf.slice(i + 1);
        if (line === "") {
          if (data.length) {
            const ev: SseEvent = { id: lastEventId, event, data: JSON.parse(data.join("\n")) };
            events.push(ev);
            opts.onEvent?.(ev);
            if (opts.stop?.(ev, events)) {
              abort.abort();
              return { events, lastEventId, ended: "stopped" };
            }
          }
          data = [];
          event = "message";
        } else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        else if (line.startsWith("id:")) lastEventId = line.slice(3).trim();
        else if (line.startsWith("event:")) event = line.slice(6).trim();
      }
    }
  } catch (err) {
    if (abort.signal.aborted && !opts.signal?.aborted) return { events, lastEventId, ended: "stopped" };
    if (err instanceof Error && err.message.startsWith("events: HTTP")) throw err;
    return { events, lastEventId, ended: "broken" };
  }
}
