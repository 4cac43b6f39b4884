/**
 * The worker's side of the HTTP contract (protocol.ts): JSON requests with its bearer credential
 * and a sequence number of their own, a time limit on each, and errors kept structured — the
 * hub's `{error: {code, message}}` with its HTTP status, or "unreachable" when no answer came.
 * Network errors and 5xx are retried with backoff for as long as the caller allows; a 4xx never is
 * (the caller decides, e.g. 410 → register again), except a sequence number the hub did not admit
 * (concurrent requests overtaking each other by more than the window): that request did nothing,
 * so it goes again at once under a new number.
 *
 * The hub is `http(s)://…`, or `unix:/path/to/hub.sock` for HTTP over a unix socket (the worker
 * `npm start` runs: nothing it sends crosses loopback).
 *
 * The hub limits the requests a credential has in flight at once (429 past it; the registration
 * says how many): `limitRequests` keeps this client's requests within it, waiting for a turn
 * instead of being refused. Long polls are not counted (the hub allows one per instance), and one
 * place is kept for heartbeats, which never wait for a turn: a busy worker still shows it is alive.
 */
import http from "node:http";
import { backoffMs, sleep, type Backoff } from "../src/backoff.ts";
import { REPLAYED, REQUEST_SEQ_HEADER } from "./protocol.ts";
import { fetchOverSocket, unixSocketOf } from "./socket-fetch.ts";

/** how often a request refused as replayed goes again under a new number before the refusal is the caller's */
const REPLAYED_RETRIES = 5;

/** The hub answered with an error. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HubError";
  }

  /** worth trying again later: the hub (or what is behind it) is having trouble, not refusing */
  get transient(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/** No answer from the hub: connection refused, reset, or the time limit. */
export class HubUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HubUnreachableError";
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof HubUnreachableError || (err instanceof HubError && err.transient);
}

export interface CallOptions {
  /** the limit of one attempt (default: the client's) */
  timeoutMs?: number;
  /** keep retrying transient failures for this long (0: one attempt) */
  retryForMs?: number;
  /** stops waiting and retrying (the call then throws the last error, or an AbortError) */
  signal?: AbortSignal;
  /** called before each retry, with what failed */
  onRetry?: (err: Error, attempt: number) => void;
  /** extra request headers */
  headers?: Record<string, string>;
  /** never waits for a turn among the requests in flight (a long poll; a heartbeat, which has a place kept for it) */
  unmetered?: boolean;
}

export interface HubClientOptions {
  /** `http(s)://host[:port]`, or `unix:/absolute/path` (HTTP over that unix socket) */
  url: string;
  token: string;
  timeoutMs?: number;
  backoff?: Backoff;
}

export class HubClient {
  readonly url: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly backoff: Backoff;
  private readonly socket: string | null;
  private readonly agent: http.Agent | null;
  /** the last sequence number sent (each attempt takes the next) */
  private seq = 0;
  /** requests in flight at once (Infinity until the hub names its limit) and the ones waiting for a turn */
  private maxInFlight = Number.POSITIVE_INFINITY;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: HubClientOptions) {
    this.url = opts.url.replace(/\/+$/, "");
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.backoff = opts.backoff ?? { baseMs: 250, maxMs: 10_000 };
    this.socket = unixSocketOf(this.url);
    this.agent = this.socket ? new http.Agent({ keepAlive: true }) : null;
  }

  /** Closes idle connections (a unix-socket client keeps them open between calls). */
  close(): void {
    this.agent?.destroy();
  }

  /** The hub's limit of requests in flight for this credential: this client's own stay one below it (the heartbeat's place). */
  limitRequests(n: number): void {
    this.maxInFlight = Number.isInteger(n) && n >= 1 ? Math.max(1, n - 1) : Number.POSITIVE_INFINITY;
    this.admitWaiting();
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }

  /** Waits for a turn among the requests in flight; resolves to its release, or rejects when `signal` aborts first. */
  private async turn(opts: CallOptions): Promise<() => void> {
    if (opts.unmetered) return () => undefined;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.admitWaiting();
    };
    if (this.inFlight < this.maxInFlight && this.waiting.length === 0) {
      this.inFlight++;
      return release;
    }
    const signal = opts.signal;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      this.waiting.push(go);
      signal?.addEventListener("abort", abort, { once: true });
    });
    return release;
  }

  /** POSTs `body` as JSON and returns the JSON answer. */
  post<T>(route: string, body: unknown, opts: CallOptions = {}): Promise<T> {
    return this.retrying(opts, async (signal) => {
      const init = { method: "POST", body: JSON.stringify(body), headers: { ...opts.headers, "content-type": "application/json" } as Record<string, string> };
      const res = await this.fetch(route, init, signal, opts.timeoutMs ?? this.timeoutMs, true, opts);
      const text = await res.text().catch((cause: unknown) => {
        throw new HubUnreachableError(`the hub's answer to ${route} broke off`, { cause });
      });
      if (!res.ok) throw errorOf(res.status, text, route);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new HubError(res.status, "bad_response", `the hub's answer to ${route} is not JSON`);
      }
    });
  }

  /**
   * POSTs `body` as JSON and returns the answer whose body streams for as long as the hub keeps it
   * open (a debug session's input): only the answer's arrival is timed; `signal` ends the stream.
   */
  stream(route: string, body: unknown, opts: CallOptions = {}): Promise<Response> {
    return this.retrying(opts, async (signal) => {
      const init = { method: "POST", body: JSON.stringify(body), headers: { ...opts.headers, "content-type": "application/json" } };
      const res = await this.fetch(route, init, signal, opts.timeoutMs ?? this.timeoutMs, false, opts);
      if (!res.ok) throw errorOf(res.status, await res.text().catch(() => ""), route);
      return res;
    });
  }

  /** GETs a download; the body streams (its reading has no time limit of its own, only the answer). */
  get(route: string, opts: CallOptions = {}): Promise<Response> {
    return this.retrying(opts, async (signal) => {
      const res = await this.fetch(route, { method: "GET", headers: opts.headers }, signal, opts.timeoutMs ?? this.timeoutMs, false, opts);
      if (!res.ok) throw errorOf(res.status, await res.text().catch(() => ""), route);
      return res;
    });
  }

  private async retrying<T>(opts: CallOptions, once: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const deadline = Date.now() + (opts.retryForMs ?? 0);
    let replayed = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(opts.signal);
      } catch (err) {
        if (err instanceof HubError && err.code === REPLAYED && replayed++ < REPLAYED_RETRIES && !opts.signal?.aborted) {
          attempt--;
          continue;
        }
        const wait = backoffMs(attempt, this.backoff);
        if (!isTransient(err) || Date.now() + wait > deadline || opts.signal?.aborted) throw err;
        opts.onRetry?.(err as Error, attempt);
        if (!(await sleep(wait, opts.signal))) throw err;
      }
    }
  }

  private async fetch(
    route: string,
    init: { method: string; body?: string; headers?: Record<string, string> },
    signal: AbortSignal | undefined,
    timeoutMs: number,
    limitBody: boolean,
    opts: CallOptions,
  ): Promise<Response> {
    // a turn is held until the answer (a download's body streams on after it, as the hub counts it)
    const release = await this.turn(opts);
    try {
      return await this.send(route, init, signal, timeoutMs, limitBody);
    } finally {
      release();
    }
  }

  private async send(route: string, init: { method: string; body?: string; headers?: Record<string, string> }, signal: AbortSignal | undefined, timeoutMs: number, limitBody: boolean): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers = { ...init.headers, authorization: `Bearer ${this.token}`, accept: "application/json", [REQUEST_SEQ_HEADER]: String(++this.seq) };
    // a download's body may take longer than the answer: only the answer is timed then
    const timer = limitBody ? null : new AbortController();
    const signals = [signal, limitBody ? timeout : timer!.signal].filter((s): s is AbortSignal => !!s);
    let timing: NodeJS.Timeout | null = null;
    if (timer) timing = setTimeout(() => timer.abort(), timeoutMs);
    try {
      const all = AbortSignal.any(signals);
      return this.socket
        ? await fetchOverSocket(this.socket, this.agent!, route, { method: init.method, headers, body: init.body, signal: all })
        : await fetch(`${this.url}${route}`, { method: init.method, body: init.body, headers, signal: all });
    } catch (cause) {
      const why = timeout.aborted || timer?.signal.aborted ? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}` : describe(cause);
      throw new HubUnreachableError(`cannot reach the hub at ${this.url} (${route}): ${why}`, { cause });
    } finally {
      if (timing) clearTimeout(timing);
    }
  }
}

function describe(err: unknown): string {
  // fetch wraps the socket's error as its cause; node's http (a unix socket) throws it as it is
  const own = (err as { code?: unknown })?.code;
  if (typeof own === "string" && own !== "ABORT_ERR") return own;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return err instanceof Error ? (cause?.message ?? err.message) : String(err);
}

/** The hub's one error shape, or a readable stand-in when the answer is something else. */
function errorOf(status: number, text: string, route: string): HubError {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (e && typeof e.message === "string") return new HubError(status, typeof e.code === "string" ? e.code : String(status), e.message);
  } catch {
    // not JSON: a proxy's page or an empty body
  }
  return new HubError(status, String(status), `${route}: HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`);
}
