/**
 * What the parts of `npm run bench:hub` share: the running hub they measure (BenchContext), the
 * figures they report (Figure), and the timing and memory helpers. scripts/bench-hub.ts builds
 * the context (its own data dir, generated data, a real Next production server) and calls each
 * part: benchCatalog (catalog.ts) and benchResults (results.ts).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { cpuTicks } from "../bench-queue/procs.ts";

/** One line of the final table. `met` is null for a figure without a target. */
export interface Figure {
  figure: string;
  target: string;
  measured: string;
  met: boolean | null;
}

/** The hub under measurement. Everything points at 127.0.0.1 and at data the bench created. */
export interface BenchContext {
  /** `http://127.0.0.1:<port>` of the Next production server */
  baseUrl: string;
  /** the bench's own embedded PostgreSQL (a throwaway data dir) */
  databaseUrl: string;
  /** the bench's own database on the Mongo-wire store */
  mongoUri: string;
  dataDir: string;
  /** an admin account and a plain user, each with an API token (`Authorization: Bearer …`) */
  admin: { id: string; username: string; token: string };
  user: { id: string; username: string; token: string };
  /** pid of the Next server process (the one whose RSS is a target) */
  nextPid: number;
  /** a pooled connection to databaseUrl for direct inserts and queries */
  sql: pg.Pool;
  /** the server's LEVHUB_METRICS_TOKEN: /metrics tells what its memory is made of */
  metricsToken: string;
}

/** Resident set size of a process in MB (Linux /proc), or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The q-quantile (0..1) of durations, nearest-rank. */
export function quantile(ms: number[], q: number): number {
  if (!ms.length) return Number.NaN;
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export interface Timing {
  p50: number;
  p95: number;
  n: number;
  /** the Next server's CPU time (user + system) per request, warm-up included */
  serverCpuMs: number;
}

/** CPU time (user + system) a process has used, in ms: bench:queue's reading of /proc, in clock ticks of 10 ms. */
export const processCpuMs = (pid: number): number => cpuTicks(pid) * 10;

export interface TimedResponse {
  status: number;
  ms: number;
  bytes: number;
}

/** One GET, body read to the end; the time includes the whole body. */
export async function timedGet(ctx: BenchContext, path: string, token?: string): Promise<TimedResponse> {
  const t0 = performance.now();
  const res = await fetch(ctx.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: "manual" });
  const body = await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0, bytes: body.byteLength };
}

/**
 * Times `paths` round-robin `rounds` times each, `concurrency` at once, after one warm-up pass.
 * Any non-2xx answer aborts the bench: a figure measured on errors would be meaningless.
 */
export async function measure(ctx: BenchContext, paths: string[], opts: { rounds?: number; concurrency?: number; token?: string } = {}): Promise<Timing> {
  const rounds = opts.rounds ?? 20;
  const concurrency = opts.concurrency ?? 1;
  const check = (r: TimedResponse, p: string) => {
    if (r.status < 200 || r.status >= 300) throw new Error(`GET ${p} answered ${r.status}`);
    return r.ms;
  };
  const cpu0 = processCpuMs(ctx.nextPid);
  for (const p of paths) check(await timedGet(ctx, p, opts.token), p);
  const queue = Array.from({ length: rounds }, () => paths).flat();
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < queue.length) {
        const p = queue[next++];
        times.push(check(await timedGet(ctx, p, opts.token), p));
      }
    }),
  );
  const serverCpuMs = (processCpuMs(ctx.nextPid) - cpu0) / (times.length + paths.length);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), n: times.length, serverCpuMs };
}

export const fmtMs = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
export const fmtMb = (mb: number) => `${Math.round(mb)} MB`;

/** A figure with an upper bound: measured ≤ limit. */
export function atMost(figure: string, measured: number, limit: number, unit: "ms" | "MB"): Figure {
  const fmt = unit === "ms" ? fmtMs : fmtMb;
  return { figure, target: `≤ ${fmt(limit)}`, measured: fmt(measured), met: measured <= limit };
}

/** pids of a process and all its descendants (Linux /proc). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // the command name is in parentheses and may contain spaces: the ppid is the 2nd field after it
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return out;
}

/** What a process's RSS is made of (MB): anonymous memory (heaps) and file-backed pages (code, mapped files). */
export function rssParts(pid: number): { anon: number; file: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN) / 1024;
    return { anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
  } catch {
    return { anon: Number.NaN, file: Number.NaN };
  }
}

/**
 * Where a process's anonymous memory lies (MB), by the mapping that holds it (/proc/PID/smaps):
 * malloc's main heap (`[heap]`), mappings of at most 1 MiB (V8's 256 KiB heap pages, small mmaps),
 * of at most 1 GiB (malloc arenas and large chunks, V8's large objects), and reservations above
 * 1 GiB (a WebAssembly memory reserves 8 GiB and its RSS is the part in use; V8's pointer cage).
 */
export function anonByMapping(pid: number): { mallocHeap: number; small: number; medium: number; reserved: number } {
  const out = { mallocHeap: 0, small: 0, medium: 0, reserved: 0 };
  try {
    let bucket: keyof typeof out | null = null;
    for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
      const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) {
        const size = parseInt(head[2], 16) - parseInt(head[1], 16);
        const name = head[3].trim();
        bucket = name === "[heap]" ? "mallocHeap" : name !== "" ? null : size <= 1 << 20 ? "small" : size <= 1 << 30 ? "medium" : "reserved";
        continue;
      }
      const anon = /^Anonymous:\s+(\d+) kB/.exec(line);
      if (anon && bucket) out[bucket] += Number(anon[1]) / 1024;
    }
  } catch {
    return { mallocHeap: Number.NaN, small: Number.NaN, medium: Number.NaN, reserved: Number.NaN };
  }
  return out;
}

/** The final table: figure, target, measured, met? */
export function printFigures(figures: Figure[]): void {
  const rows = [["figure", "target", "measured", "met?"], ...figures.map((f) => [f.figure, f.target, f.measured, f.met === null ? "—" : f.met ? "yes" : "NO"])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(["", line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line), ""].join("\n"));
}

/** What the Next server's memory is made of, from its own /metrics (prom-client's process and V8 figures), in MB. */
export interface ServerMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** The server's memory as it reports it (`process.memoryUsage()` through /metrics); NaNs when it does not answer. */
export async function serverMemory(ctx: BenchContext): Promise<ServerMemory> {
  const none = { rss: Number.NaN, heapUsed: Number.NaN, heapTotal: Number.NaN, external: Number.NaN };
  try {
    const res = await fetch(`${ctx.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ctx.metricsToken}` } });
    const text = await res.text();
    if (!res.ok) return none;
    const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, "m").exec(text)?.[1] ?? Number.NaN) / 1048576;
    return {
      rss: metric("process_resident_memory_bytes"),
      heapUsed: metric("nodejs_heap_size_used_bytes"),
      heapTotal: metric("nodejs_heap_size_total_bytes"),
      external: metric("nodejs_external_memory_bytes"),
    };
  } catch {
    return none;
  }
}

export const fmtMemory = (m: ServerMemory) => `RSS ${fmtMb(m.rss)}: V8 heap ${fmtMb(m.heapUsed)} used of ${fmtMb(m.heapTotal)}, external ${fmtMb(m.external)}`;

/**
 * CPU load for "under load" figures: `procs` busy loops at the server's own priority, each ending
 * by itself after `maxMs` however the bench ends. Returns a stop function.
 */
export function cpuLoad(procs: number, maxMs: number): () => void {
  const children = Array.from({ length: procs }, () =>
    spawn(process.execPath, ["-e", `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: "ignore" }),
  );
  return () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  };
}
