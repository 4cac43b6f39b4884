/**
 * A tool (or service) container's only way to hand anything to the runner: its own unix socket,
 * in a runner-owned directory mounted read-only at /lev/chan. Ops: `hello`, `put` (the task's
 * whole document, replacing the previous one), `done` (the document is final: the runner may
 * store it while the container exits; a later `put` is refused), `error` (what the entry raised)
 * and `pause` (a task started with "pause before entry" waits there until a debugger says
 * continue; answered at once when the runner did not pause the task). Nothing the container
 * writes on a disk is ever read by the runner.
 */
import path from "node:path";
import { z } from "zod";
import { ChannelReplyError, ChannelServer } from "./channel.ts";
import { formatBytes } from "./log-sink.ts";
import { formatZodError } from "./spec.ts";
import { assertStorable } from "../store/store.ts";
import type { RunError } from "../types.ts";

/** Room for the request envelope around a document: `{"id":…,"op":"put","fields":…}`. */
export const FRAME_OVERHEAD = 1024;
const MAX_ERROR_MESSAGE = 8 * 1024;
const MAX_TRACEBACK = 64 * 1024;

const putRequest = z.object({ fields: z.record(z.string(), z.unknown()) });
const errorRequest = z.object({
  type: z.string().min(1).max(200),
  message: z.string(),
  traceback: z.string().nullable().default(null),
});

export function outputTooLarge(bytes: number, limit: number): RunError {
  return { type: "OutputTooLarge", message: `the task's document is ${formatBytes(bytes)}, over the limit of ${formatBytes(limit)}` };
}

export interface TaskChannelOptions {
  task: number;
  job: number;
  docBytes: number;
  uid: number;
  log: (line: string) => void;
  /** the task was started to pause before its entry: resolves when a debugger says continue */
  onPause?: () => Promise<void>;
  /** the task said its document is final (`done`): called once */
  onDone?: () => void;
}

export class TaskChannel {
  /** the last document the task put, not yet stored */
  document: Record<string, unknown> | null = null;
  entryError: { type: string; message: string; traceback: string | null } | null = null;
  outputError: RunError | null = null;
  /** the task said `done`: `document` is its last */
  private final = false;

  private constructor(
    private readonly opts: TaskChannelOptions,
    private server: ChannelServer | null = null,
  ) {}

  /** Binds `lev.sock` in `dir` (which the runner created and owns). */
  static async open(dir: string, opts: TaskChannelOptions): Promise<TaskChannel> {
    const ch = new TaskChannel(opts);
    ch.server = await ChannelServer.listen(path.join(dir, "lev.sock"), (op, body) => ch.handle(op, body), {
      maxFrameBytes: opts.docBytes + FRAME_OVERHEAD,
      // levrt uses one; a few more for tools that fork, never enough to multiply the budget
      maxConnections: 4,
      uid: opts.uid,
      onProtocolError: (m) => opts.log(`task ${opts.task} channel: ${m}`),
      onOversize: (bytes, shared) => {
        const e: RunError = shared
          ? { type: "OutputTooLarge", message: `the task sent more than ${formatBytes(opts.docBytes)} on several connections at once` }
          : outputTooLarge(bytes, opts.docBytes);
        ch.outputError ??= e;
        opts.log(e.message);
        return new ChannelReplyError("OutputTooLarge", e.message, null, opts.task);
      },
      onPermissionFallback: opts.log,
    });
    return ch;
  }

  private async handle(op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const parse = <T extends z.ZodType>(schema: T): z.infer<T> => {
      const r = schema.safeParse(body);
      if (!r.success) throw new ChannelReplyError("InvalidRequest", `${op}: ${formatZodError(r.error)}`);
      return r.data;
    };
    switch (op) {
      case "hello":
        return { job: this.opts.job, task: this.opts.task };
      case "put": {
        if (this.final) throw new ChannelReplyError("InvalidRequest", "put: the task already said its document was final (done)");
        const { fields } = parse(putRequest);
        // the frame cap lets a little envelope through; the document itself is measured here
        const size = Buffer.byteLength(JSON.stringify(fields));
        if (size > this.opts.docBytes) {
          const e = outputTooLarge(size, this.opts.docBytes);
          this.outputError ??= e;
          throw new ChannelReplyError("OutputTooLarge", e.message, null, this.opts.task);
        }
        try {
          assertStorable(fields);
        } catch (err) {
          throw new ChannelReplyError("InvalidRequest", err instanceof Error ? err.message : String(err));
        }
        this.document = fields;
        return {};
      }
      case "done":
        if (!this.final) {
          this.final = true;
          this.opts.onDone?.();
        }
        return {};
      case "error": {
        const e = parse(errorRequest);
        this.entryError = {
          type: e.type,
          message: e.message.slice(0, MAX_ERROR_MESSAGE),
          traceback: e.traceback === null ? null : e.traceback.slice(-MAX_TRACEBACK),
        };
        return {};
      }
      case "pause":
        // the container asks; only the runner decides whether it waits (a task it did not pause never does)
        if (this.opts.onPause) await this.opts.onPause();
        return {};
      default:
        throw new ChannelReplyError("InvalidRequest", `unknown op '${op}' on a task channel (hello, put, done, error, pause)`);
    }
  }

  async close(): Promise<void> {
    await this.server?.close().catch(() => undefined);
    this.server = null;
  }
}
