import "server-only";
import pg from "pg";
import { databaseUrl } from "../platform/config.ts";
import type { RawSql } from "./boss.ts";

/**
 * PostgreSQL LISTEN/NOTIFY between hub processes: one listening connection per process, fanned out
 * in memory. Three channels: `levhub_run` (payload: a run id whose state, tasks or logs changed),
 * `levhub_queue` (payload: why; a run was queued, a cancel requested or a debug session opened:
 * polls wake up) and `levhub_debug` (payload: a debug session id whose frames or state changed).
 * Waiters always re-check the database, so a lost notification costs only the fallback interval.
 */
export const RUN_CHANNEL = "levhub_run";
export const QUEUE_CHANNEL = "levhub_queue";
export const DEBUG_CHANNEL = "levhub_debug";
export type Channel = typeof RUN_CHANNEL | typeof QUEUE_CHANNEL | typeof DEBUG_CHANNEL;

type Listener = (payload: string) => void;

interface State {
  client: pg.Client | null;
  connecting: Promise<void> | null;
  listeners: Map<Channel, Set<Listener>>;
}

const g = globalThis as typeof globalThis & { __levhubNotify?: State };
const state = (): State => (g.__levhubNotify ??= { client: null, connecting: null, listeners: new Map() });

async function connect(s: State): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl(), application_name: "levhub-listen" });
  client.on("notification", (msg) => {
    for (const fn of s.listeners.get(msg.channel as Channel) ?? []) fn(msg.payload ?? "");
  });
  const drop = () => {
    if (s.client === client) s.client = null;
    // every waiter re-checks on its fallback timer; wake them now so none waits for a message that cannot come
    for (const set of s.listeners.values()) for (const fn of set) fn("");
  };
  client.on("error", drop);
  client.on("end", drop);
  await client.connect();
  await client.query(`LISTEN ${RUN_CHANNEL}`);
  await client.query(`LISTEN ${QUEUE_CHANNEL}`);
  await client.query(`LISTEN ${DEBUG_CHANNEL}`);
  s.client = client;
}

async function ensureListening(): Promise<void> {
  const s = state();
  if (s.client) return;
  s.connecting ??= connect(s).finally(() => (s.connecting = null));
  await s.connecting;
}

/** Calls `fn` on every notification of the channel (payload "" when the connection dropped). Returns the unsubscribe. */
export async function subscribe(channel: Channel, fn: Listener): Promise<() => void> {
  const s = state();
  let set = s.listeners.get(channel);
  if (!set) s.listeners.set(channel, (set = new Set()));
  set.add(fn);
  try {
    await ensureListening();
  } catch (err) {
    // the fallback interval still re-checks; a database that is down shows up in the caller's queries
    console.error("[levhub] LISTEN failed:", err instanceof Error ? err.message : err);
  }
  return () => set.delete(fn);
}

export interface Watch {
  /** resolves at once if a notification came since the last call, else on the next one, after `ms`, or on abort */
  next(ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Watches a channel for notifications `accept` takes. Watch first, then read the state it guards:
 * a notification between the read and `next()` is not lost, it makes `next()` return at once.
 */
export async function watch(channel: Channel, accept?: (payload: string) => boolean): Promise<Watch> {
  let pending = false;
  let wake: (() => void) | null = null;
  const off = await subscribe(channel, (p) => {
    if (p && accept && !accept(p)) return;
    pending = true;
    wake?.();
  });
  return {
    async next(ms, signal) {
      if (!pending && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal?.addEventListener("abort", done, { once: true });
          wake = done;
        });
      }
      pending = false;
    },
    close: off,
  };
}

/** Sends a notification inside the caller's transaction (delivered when it commits). */
export async function notify(tx: RawSql, channel: Channel, payload: string): Promise<void> {
  await tx.$queryRawUnsafe("SELECT 1 AS sent FROM pg_notify($1, $2)", channel, payload);
}

export async function closeNotify(): Promise<void> {
  const s = state();
  const c = s.client;
  s.client = null;
  await c?.end().catch(() => undefined);
}
