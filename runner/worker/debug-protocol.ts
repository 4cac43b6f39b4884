/**
 * The debug-terminal part of the worker ⇄ hub protocol (protocol.ts has the rest): what a
 * session may carry, the input stream the worker reads and the output it posts.
 */
import { z } from "zod";
import type { DebugEndReason } from "../src/debug/vocabulary.ts";

/**
 * What a debug session may carry. Bytes travel as base64 in JSON; each cap is on the bytes.
 * The hub refuses more (413, 429) and ends a session past `sessionOutputBytes` (`output_limit`).
 */
export const DEBUG_LIMITS = {
  /** one input request of the browser (keystrokes, a paste) */
  inputBytes: 4096,
  /** input the worker has not applied yet: past it, typing is refused until it catches up */
  pendingInputBytes: 64 * 1024,
  /** one output frame */
  frameBytes: 16 * 1024,
  /** frames in one output request */
  framesPerRequest: 64,
  /** output bytes per second of one session (the worker paces itself; more is refused, 429) */
  outputBytesPerSecond: 256 * 1024,
  /** output of one session in all */
  sessionOutputBytes: 64 * 1024 * 1024,
  /** output kept for a browser that reconnects (older frames are deleted) */
  scrollbackBytes: 256 * 1024,
  cols: { min: 10, max: 500 },
  rows: { min: 2, max: 200 },
} as const;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");
const cols = z.number().int().min(DEBUG_LIMITS.cols.min).max(DEBUG_LIMITS.cols.max);
const rows = z.number().int().min(DEBUG_LIMITS.rows.min).max(DEBUG_LIMITS.rows.max);
export const terminalSizeSchema = z.object({ cols, rows }).strict();

/** `POST /api/worker/debug/{session}/stream`: input after `after` (what the worker applied), then as it comes. */
export const debugStreamRequestSchema = z.object({ after: z.number().int().min(0) }).strict();
export type DebugStreamRequest = z.infer<typeof debugStreamRequestSchema>;

/** One line of the stream: a numbered input (bytes typed, a new size, continue), a keep-alive, or the end. */
export type DebugInput =
  | { seq: number; kind: "data"; data: string }
  | { seq: number; kind: "resize"; cols: number; rows: number }
  | { seq: number; kind: "continue" }
  | { kind: "ping" }
  | { kind: "end"; reason: DebugEndReason };

/** How a worker may end a session (the others are the hub's to decide). */
export const WORKER_DEBUG_ENDS = ["task_ended", "shell_exited", "refused", "failed"] as const satisfies readonly DebugEndReason[];

/** `POST /api/worker/debug/{session}/output`: output frames numbered from 1, and what the shell's side says. */
export const debugOutputRequestSchema = z
  .object({
    frames: z
      .array(z.object({ seq: z.number().int().min(1), data: base64.max(Math.ceil(DEBUG_LIMITS.frameBytes / 3) * 4) }).strict())
      .max(DEBUG_LIMITS.framesPerRequest),
    /** the highest input seq applied: the hub drops input up to it */
    acked: z.number().int().min(0),
    /** a shell runs */
    opened: z.boolean().optional(),
    /** the task waits before its entry */
    paused: z.boolean().optional(),
    end: z.object({ reason: z.enum(WORKER_DEBUG_ENDS), message: z.string().max(1000).optional() }).strict().optional(),
  })
  .strict();
export type DebugOutputRequest = z.infer<typeof debugOutputRequestSchema>;

export interface DebugOutputResponse {
  /** the highest output seq recorded: the worker may drop frames up to it */
  acked: number;
  /** the session ended: the worker ends the shell */
  end?: DebugEndReason;
}
