/**
 * `lev debug <run-id> <task>`: a terminal into a running task's container, through the hub (the
 * hub's Leviathan counterpart is `ssh -t lev debug <container>`). The local terminal goes into raw
 * mode; what the shell prints comes as server-sent events, what is typed goes out as POSTs. Ctrl-]
 * then `c` tells a task paused before its entry to continue, Ctrl-] then `q` leaves (the session
 * is closed; the task goes on). The terminal is restored however the command ends.
 */
import { parseArgs } from "node:util";
import { CliError, loadConfig, api, hubError, type HubConfig } from "./hub.ts";

export const DEBUG_USAGE = `  lev debug <run-id> <task> [--continue]
      A shell (uid 65534) in a running task's container of your own run. Ctrl-] c: continue a
      task paused before its entry (lev run --debug-pause); Ctrl-] q: leave. --continue: only
      tell the paused task to continue.`;

/** Ctrl-]: the escape key, as telnet's */
const ESCAPE = 0x1d;

interface DebugStreamEvent {
  type: "state" | "output" | "gap" | "end";
  text?: string;
  state?: string;
  paused?: boolean;
  missed?: number;
  message?: string;
  reason?: string;
}

/** Server-sent events of a response body, one parsed `data:` line at a time. */
async function* serverEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<DebugStreamEvent> {
  const decoder = new TextDecoder();
  let buf = "";
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data) yield JSON.parse(data) as DebugStreamEvent;
    }
  }
}

export interface DebugIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export async function debugCommand(args: string[], io: DebugIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { continue: { type: "boolean", default: false } } });
  if (positionals.length !== 2 || !/^\d+$/.test(positionals[1])) throw new CliError("debug takes <run-id> <task> (a task number from the run's page or `lev runs <run-id>`)");
  const [runId, taskText] = positionals;
  const cfg = await loadConfig();
  const size = { cols: Math.min(500, Math.max(10, io.stdout.columns || 80)), rows: Math.min(200, Math.max(2, io.stdout.rows || 24)) };
  const session = await api<{ id: string }>(cfg, "POST", `/api/runs/${encodeURIComponent(runId)}/debug`, { task: Number(taskText), ...size });
  const input = (body: unknown) => api(cfg, "POST", `/api/debug/${session.id}/input`, body);
  if (values.continue) {
    try {
      await waitOpen(cfg, session.id);
      await input({ continue: true });
      io.stderr.write(`lev: told task ${taskText} to continue\n`);
      return 0;
    } finally {
      await api(cfg, "DELETE", `/api/debug/${session.id}`).catch(() => undefined);
    }
  }
  return relay(cfg, session.id, Number(taskText), input, io);
}

/** Waits until the worker opened the session (or it ended). */
async function waitOpen(cfg: HubConfig, id: string): Promise<void> {
  const res = await events(cfg, id, new AbortController().signal);
  for await (const ev of serverEvents(res.body!)) {
    if (ev.type === "state" && ev.state === "open") return;
    if (ev.type === "end") throw new CliError(`the debug session ended: ${ev.message}`);
  }
}

async function events(cfg: HubConfig, id: string, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${cfg.url}/api/debug/${id}/events`, { headers: { authorization: `Bearer ${cfg.token}`, accept: "text/event-stream" }, signal });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok || !res.body) throw hubError(res, await res.text());
  return res;
}

async function relay(cfg: HubConfig, id: string, task: number, input: (body: unknown) => Promise<unknown>, io: DebugIo): Promise<number> {
  const abort = new AbortController();
  const raw = io.stdin.isTTY === true;
  let queue: Buffer[] = [];
  let sending = false;
  let escaped = false;
  let leave!: () => void;
  const left = new Promise<void>((r) => (leave = r));
  const note = (s: string) => io.stderr.write(`\r\n\x1b[2m${s}\x1b[0m\r\n`);
  const flush = async () => {
    if (sending) return;
    sending = true;
    while (queue.length) {
      const data = Buffer.concat(queue).toString("utf8");
      queue = [];
      for (let i = 0; i < data.length; i += 2000) await input({ data: data.slice(i, i + 2000) }).catch((err: Error) => note(err.message));
    }
    sending = false;
  };
  const onData = (chunk: Buffer) => {
    const keep: number[] = [];
    for (const b of chunk) {
      if (escaped) {
        escaped = false;
        if (b === 0x63 /* c */) void input({ continue: true }).then(() => note(`task ${task}: continue sent`), (err: Error) => note(err.message));
        else if (b === 0x71 /* q */ || b === 0x2e /* . */) leave();
        else keep.push(ESCAPE, b);
        continue;
      }
      if (b === ESCAPE) escaped = true;
      else keep.push(b);
    }
    if (keep.length) {
      queue.push(Buffer.from(keep));
      void flush();
    }
  };
  const onResize = () => void input({ resize: { cols: Math.min(500, Math.max(10, io.stdout.columns || 80)), rows: Math.min(200, Math.max(2, io.stdout.rows || 24)) } }).catch(() => undefined);
  if (raw) io.stdin.setRawMode(true);
  io.stdin.on("data", onData);
  io.stdin.resume();
  io.stdout.on("resize", onResize);
  note(`lev debug: task ${task} (uid 65534). Ctrl-] c: continue a paused task · Ctrl-] q: leave`);
  let code = 0;
  try {
    const res = await events(cfg, id, abort.signal);
    const reading = (async () => {
      for await (const ev of serverEvents(res.body!)) {
        if (ev.type === "output") io.stdout.write(ev.text ?? "");
        else if (ev.type === "state") note(ev.state === "pending" ? "waiting for the worker…" : ev.paused ? `open; task ${task} waits before its entry (Ctrl-] c to continue)` : "open");
        else if (ev.type === "gap") note(`(${ev.missed} chunks of output were no longer kept)`);
        else if (ev.type === "end") {
          note(`session ended: ${ev.message}`);
          if (ev.reason !== "closed" && ev.reason !== "shell_exited" && ev.reason !== "task_ended") code = 1;
          return;
        }
      }
    })().catch((err: Error) => {
      if (!abort.signal.aborted) {
        note(`the hub's stream broke: ${err.message}`);
        code = 1;
      }
    });
    await Promise.race([reading, left]);
  } finally {
    abort.abort();
    io.stdin.off("data", onData);
    io.stdout.off("resize", onResize);
    if (raw) io.stdin.setRawMode(false);
    io.stdin.pause();
    // nothing more is read: stdin must not keep the command alive
    (io.stdin as { unref?: () => void }).unref?.();
    await api(cfg, "DELETE", `/api/debug/${id}`).catch(() => undefined);
  }
  return code;
}
