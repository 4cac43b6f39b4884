"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import type { DebugAvailability, DebugSessionView, DebugStreamEvent } from "../lib/debug/types.ts";
import type { TaskView } from "../lib/types.ts";

/** The terminal's size: the hub's and the shell's (xterm draws it; no resizing to the window). */
const COLS = 100;
const ROWS = 28;

interface Problem {
  code: string;
  message: string;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = (await res.json().catch(() => null)) as { error?: Problem } | T | null;
  if (!res.ok) throw (data as { error?: Problem } | null)?.error ?? { code: String(res.status), message: `HTTP ${res.status}` };
  return data as T;
}

/**
 * The run page's debug terminals: for each running task a Debug button when the viewer may debug
 * the run (else the reason), and the terminal it opens (xterm.js): what the shell prints, streamed
 * (SSE), what is typed, posted; Continue for a task paused before its entry; Close. The session
 * ends with the task, on Close, or after the admin's idle timeout.
 */
export function DebugPanel({ runId, tasks, availability, running }: { runId: string; tasks: TaskView[]; availability: DebugAvailability; running: boolean }) {
  const [open, setOpen] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const debuggable = tasks.filter((t) => t.number > 0 && t.status === "running");
  if (!running && open === null) return null;
  return (
    <section aria-labelledby="debug-h" className="space-y-2">
      <h2 id="debug-h" className="h-section">Debug</h2>
      {!availability.allowed ? (
        <p className="text-sm text-zinc-600" role="note">
          Debug terminals are not available for this run: {availability.message}.
        </p>
      ) : debuggable.length === 0 && open === null ? (
        <p className="text-sm text-zinc-500">A terminal opens into a running task&apos;s container; no task is running now.</p>
      ) : (
        <div className="flex flex-wrap gap-2">
          {debuggable.map((t) => (
            <button
              key={t.number}
              type="button"
              className="btn"
              disabled={open !== null}
              onClick={() => {
                setProblem(null);
                setOpen(t.number);
              }}
            >
              Debug task {t.number}
            </button>
          ))}
        </div>
      )}
      {problem && (
        <p role="alert" className="field-error">
          {problem.message} <span className="text-zinc-500">({problem.code})</span>
        </p>
      )}
      {open !== null && <DebugTerminal key={open} runId={runId} task={open} onClose={(p) => (setOpen(null), setProblem(p))} />}
    </section>
  );
}

function DebugTerminal({ runId, task, onClose }: { runId: string; task: number; onClose: (problem: Problem | null) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [session, setSession] = useState<DebugSessionView | null>(null);
  const [state, setState] = useState<{ state: "pending" | "open"; paused: boolean } | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  const send = useRef<(body: unknown) => void>(() => undefined);
  // the parent's callback changes every render; the terminal must not be opened again for that
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);

  useEffect(() => {
    let disposed = false;
    let es: EventSource | null = null;
    let term: import("@xterm/xterm").Terminal | null = null;
    let id: string | null = null;
    void (async () => {
      const { Terminal } = await import("@xterm/xterm");
      if (disposed || !box.current) return;
      term = new Terminal({ cols: COLS, rows: ROWS, convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 2000 });
      term.open(box.current);
      term.writeln(`\x1b[2mopening a shell in task ${task}'s container (uid 65534)…\x1b[0m`);
      let s: DebugSessionView;
      try {
        s = await call<DebugSessionView>("POST", `/api/runs/${encodeURIComponent(runId)}/debug`, { task, cols: COLS, rows: ROWS });
      } catch (err) {
        close.current(err as Problem);
        return;
      }
      if (disposed) return void call("DELETE", `/api/debug/${s.id}`).catch(() => undefined);
      id = s.id;
      setSession(s);
      // keystrokes go out in order, those typed while one request is under way together
      let queue = "";
      let sending = false;
      const flush = async () => {
        if (sending || !queue) return;
        sending = true;
        while (queue) {
          const data = queue.slice(0, 2000);
          queue = queue.slice(data.length);
          await call("POST", `/api/debug/${s.id}/input`, { data }).catch((err: Problem) => term?.writeln(`\r\n\x1b[33m${err.message}\x1b[0m`));
        }
        sending = false;
      };
      send.current = (body) => void call("POST", `/api/debug/${s.id}/input`, body).catch((err: Problem) => term?.writeln(`\r\n\x1b[33m${err.message}\x1b[0m`));
      term.onData((d) => {
        queue += d;
        void flush();
      });
      term.focus();
      es = new EventSource(`/api/debug/${s.id}/events`);
      es.onmessage = (m: MessageEvent<string>) => {
        const ev = JSON.parse(m.data) as DebugStreamEvent;
        if (ev.type === "output") term?.write(ev.text);
        else if (ev.type === "state") setState({ state: ev.state, paused: ev.paused });
        else if (ev.type === "gap") term?.writeln(`\r\n\x1b[2m(${ev.missed} chunks of output were no longer kept)\x1b[0m`);
        else if (ev.type === "end") {
          term?.writeln(`\r\n\x1b[2m[session ended: ${ev.message}]\x1b[0m`);
          setEnded(ev.message);
          es?.close();
        }
      };
    })();
    return () => {
      disposed = true;
      es?.close();
      if (id) void call("DELETE", `/api/debug/${id}`).catch(() => undefined);
      term?.dispose();
    };
  }, [runId, task]);

  return (
    <div className="card space-y-2 p-3" aria-label={`Debug terminal of task ${task}`}>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="font-medium">Task {task}</span>
        <span className="text-zinc-500" role="status" aria-label="Debug session state">
          {ended ? `ended: ${ended}` : !session || !state ? "opening…" : state.state === "pending" ? "waiting for the worker…" : state.paused ? "open · the task waits before its entry" : "open"}
        </span>
        <span className="ml-auto flex gap-2">
          {state?.paused && !ended && (
            <button type="button" className="btn btn-primary" onClick={() => send.current({ continue: true })}>
              Continue
            </button>
          )}
          <button type="button" className="btn" onClick={() => onClose(null)}>
            {ended ? "Dismiss" : "Close"}
          </button>
        </span>
      </div>
      <div ref={box} className="overflow-x-auto rounded bg-black p-1" data-testid="debug-terminal" />
      <p className="hint">A shell as uid 65534 with no capability, inside the task&apos;s container. It ends with the task, on Close, or when idle for long.</p>
    </div>
  );
}
