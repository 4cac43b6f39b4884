import "server-only";
import { EventEmitter } from "node:events";
import type { Run as RunnerRun, RunEvent, TaskRecord } from "../runner/src/index.ts";
import { db } from "./db.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import type { LogLineView, RunStreamEvent } from "./types.ts";

/**
 * The runs this process's runner is running: their live event streams, and the persistence of
 * the runner's events (task states, logs, collections, the final result) in event order.
 */

/** Log lines kept per run in the database; the rest are counted and reported at the end. */
export const MAX_LOG_ROWS = 10_000;

// ------------------------------------------------------------------ live state of this process's runs

export interface LiveRun {
  emitter: EventEmitter;
  /** the runner said `run.started` (the row may not say so yet) */
  started: boolean;
  seq: number;
  kept: number;
  dropped: number;
  buffer: Prisma.RunLogCreateManyInput[];
  flushTimer: NodeJS.Timeout | null;
  collections: Set<string>;
  /** persistence, one write after another in event order */
  chain: Promise<void>;
  done: Promise<void>;
}

const g = globalThis as typeof globalThis & { __levhubLive?: Map<string, LiveRun> };
export const live = (): Map<string, LiveRun> => (g.__levhubLive ??= new Map());

// ------------------------------------------------------------------ persistence of runner events

function taskData(t: TaskRecord) {
  return {
    image: t.image,
    resolvedImage: t.resolvedImage ?? null,
    coll: t.coll,
    status: t.status,
    exitCode: t.exitCode,
    error: (t.error ?? undefined) as Prisma.InputJsonValue | undefined,
    stored: t.stored,
    startedAt: new Date(t.startedAt),
    endedAt: t.endedAt ? new Date(t.endedAt) : null,
  };
}

/** Follows a started run: records its events and re-emits them to live viewers. */
export function attach(runId: string, run: RunnerRun): LiveRun {
  let resolveDone!: () => void;
  const entry: LiveRun = {
    emitter: new EventEmitter().setMaxListeners(0),
    started: false,
    seq: 0,
    kept: 0,
    dropped: 0,
    buffer: [],
    flushTimer: null,
    collections: new Set(),
    chain: Promise.resolve(),
    done: new Promise((r) => (resolveDone = r)),
  };
  live().set(runId, entry);
  const persist = (fn: () => Promise<unknown>) => {
    entry.chain = entry.chain.then(fn).then(
      () => undefined,
      (err: unknown) => console.error(`[levhub] run ${runId}: could not record an event:`, err),
    );
  };
  const flush = () => {
    if (entry.flushTimer) clearTimeout(entry.flushTimer);
    entry.flushTimer = null;
    const rows = entry.buffer.splice(0);
    if (rows.length) persist(() => db().runLog.createMany({ data: rows }));
  };
  const emit = (ev: RunStreamEvent) => entry.emitter.emit("event", ev);

  run.on((ev: RunEvent) => {
    switch (ev.type) {
      case "run.started":
        entry.started = true;
        persist(() => db().run.updateMany({ where: { id: runId, status: "queued" }, data: { status: "running", startedAt: new Date(ev.at) } }));
        emit(ev);
        break;
      case "task.started":
      case "task.finished": {
        const data = taskData(ev.task);
        persist(() =>
          db().task.upsert({
            where: { runId_number: { runId, number: ev.task.number } },
            create: { runId, number: ev.task.number, ...data },
            update: data,
          }),
        );
        emit(ev);
        break;
      }
      case "document":
        if (!entry.collections.has(ev.coll)) {
          entry.collections.add(ev.coll);
          const colls = [...entry.collections];
          persist(() => db().run.update({ where: { id: runId }, data: { collections: colls } }));
        }
        emit(ev);
        break;
      case "progress":
        emit(ev);
        break;
      case "log": {
        const view: LogLineView = { seq: ++entry.seq, task: ev.log.task, stream: ev.log.stream, line: ev.log.line, at: ev.log.at };
        if (entry.kept < MAX_LOG_ROWS) {
          entry.kept++;
          entry.buffer.push({ runId, seq: view.seq, task: view.task, stream: view.stream, line: view.line, at: new Date(view.at) });
          if (entry.buffer.length >= 500) flush();
          else entry.flushTimer ??= setTimeout(flush, 250);
        } else entry.dropped++;
        emit({ type: "log", log: view });
        break;
      }
      case "run.finished": {
        const r = ev.result;
        if (entry.dropped) {
          entry.buffer.push({
            runId,
            seq: ++entry.seq,
            task: 0,
            stream: "system",
            line: `${entry.dropped} more log lines were not kept (at most ${MAX_LOG_ROWS} per run)`,
            at: new Date(),
          });
        }
        flush();
        for (const t of r.tasks) {
          const data = taskData(t);
          persist(() =>
            db().task.upsert({ where: { runId_number: { runId, number: t.number } }, create: { runId, number: t.number, ...data }, update: data }),
          );
        }
        persist(() =>
          db().run.update({
            where: { id: runId },
            data: {
              status: r.status,
              error: (r.error ?? undefined) as Prisma.InputJsonValue | undefined,
              exitCode: r.exitCode,
              collections: [...new Set([...entry.collections, ...r.collections])],
              startedAt: new Date(r.startedAt),
              endedAt: new Date(r.endedAt),
            },
          }),
        );
        entry.chain = entry.chain.then(() => {
          emit(ev);
          emit({ type: "end", status: r.status });
          live().delete(runId);
          resolveDone();
        });
        break;
      }
    }
  });
  return entry;
}

