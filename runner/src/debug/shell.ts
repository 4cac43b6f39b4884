/**
 * A debug shell in a task's container: `docker exec` with a TTY as uid 65534 (never the task's
 * own user, never privileged), bash when the image has it, else sh. Dropping the exec's connection
 * does not end the process (measured: Docker 20.10 leaves it running), so the shell writes its own
 * pid under /tmp (every tool container has a private /tmp) and `end()` signals it from a second
 * exec, as the same user: nothing the shell could not do to itself.
 */
import type { ContainerEngine, ExecSession } from "../engine/engine.ts";
import { DEBUG_SHELL_USER } from "./vocabulary.ts";

export interface DebugShell {
  /** output as it comes */
  onOutput(listener: (chunk: Buffer) => void): void;
  /** settles once the bytes were handed on to the shell's terminal */
  write(data: Buffer): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** settles when the shell's connection closed (it exited, or the container ended) */
  readonly closed: Promise<void>;
  /** the shell's exit code once it ended; null when the engine cannot say (the container is gone) */
  exitCode(): Promise<number | null>;
  /** hangs the shell up (SIGHUP, then SIGKILL) and drops the connection; idempotent */
  end(): Promise<void>;
}

/** A session id names the pid file: letters and digits only, so it is safe in a shell word. */
const SAFE_ID = /^[A-Za-z0-9]{8,64}$/;

export function pidFile(session: string): string {
  if (!SAFE_ID.test(session)) throw new Error(`not a debug session id: '${session}'`);
  return `/tmp/.levhub-debug-${session}.pid`;
}

/** The shell's command: it records its pid, then becomes bash (or sh) in the same process. */
export function shellCommand(session: string): string[] {
  const file = pidFile(session);
  return ["/bin/sh", "-c", `echo $$ > ${file}; if [ -x /bin/bash ]; then exec /bin/bash -i; fi; exec /bin/sh -i`];
}

export async function openDebugShell(engine: ContainerEngine, containerId: string, session: string, size: { cols: number; rows: number }): Promise<DebugShell> {
  const exec: ExecSession = await engine.exec(containerId, {
    cmd: shellCommand(session),
    user: DEBUG_SHELL_USER,
    env: ["TERM=xterm-256color", "HOME=/tmp", "LEV_DEBUG=1"],
    tty: true,
  });
  await exec.resize(size.cols, size.rows).catch(() => undefined);
  let ending: Promise<void> | null = null;
  return {
    onOutput: (l) => exec.onOutput(l),
    write: (d) => exec.write(d),
    resize: (cols, rows) => exec.resize(cols, rows),
    closed: exec.closed,
    exitCode: () => exec.exitCode().catch(() => null),
    end() {
      ending ??= (async () => {
        const file = pidFile(session);
        // HUP first (bash passes it to its jobs), KILL what is left a moment later
        const script = `p=$(cat ${file} 2>/dev/null) || exit 0; kill -HUP "$p" 2>/dev/null; sleep 1; kill -KILL "$p" 2>/dev/null; rm -f ${file}; exit 0`;
        try {
          const killer = await engine.exec(containerId, { cmd: ["/bin/sh", "-c", script], user: DEBUG_SHELL_USER, env: [], tty: false });
          await Promise.race([killer.closed, new Promise((r) => setTimeout(r, 5_000))]);
          killer.close();
        } catch {
          // the container is gone: so is the shell
        }
        exec.close();
      })();
      return ending;
    },
  };
}

/**
 * A shell's exit code when its container's last task process ended: the kernel kills what is left
 * in the container's pid namespace with SIGKILL (128 + 9).
 */
export const KILLED_WITH_CONTAINER = 137;
