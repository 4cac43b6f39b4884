/** What the debug terminal's pages, routes and CLI exchange with lib/debug (import type only from components). */
import type { DebugEndReason, DebugRefusal, DebugState } from "../../runner/src/debug/vocabulary.ts";
import type { HubDebugRefusal } from "./decision.ts";

export interface DebugSessionView {
  id: string;
  runId: string;
  task: number;
  state: DebugState;
  paused: boolean;
  cols: number;
  rows: number;
  createdAt: string;
  openedAt: string | null;
  endedAt: string | null;
  endReason: DebugEndReason | null;
}

/** Whether the viewer may debug a run's running tasks, said once per page (a task must still be running). */
export type DebugAvailability = { allowed: true } | { allowed: false; refusal: DebugRefusal | HubDebugRefusal; message: string };

/**
 * `GET /api/debug/{session}/events` (text/event-stream; `id:` the last output seq): the session's
 * state, output as text (UTF-8, string sequences dropped: runner/src/debug/terminal-filter.ts),
 * `gap` when a reconnection asked for output no longer kept, then `end`.
 */
export type DebugStreamEvent =
  | { type: "state"; state: "pending" | "open"; paused: boolean }
  | { type: "output"; seq: number; text: string }
  | { type: "gap"; missed: number }
  | { type: "end"; reason: DebugEndReason; message: string };
