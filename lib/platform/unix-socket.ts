/**
 * Unix sockets the hub listens on, so that its own traffic on its machine never crosses loopback
 * (where a host-network tool with NET_RAW could read it): the in-process worker's way to the hub,
 * and optionally browsers' through a reverse proxy on the same machine. Loaded by the web server
 * script under plain node (type stripping), so: erasable TypeScript only, node built-ins only.
 */
import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";

/** sun_path holds 108 bytes on Linux, the terminating NUL included */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Why `socketPath` cannot be a unix socket's path, or null when it can. */
export function socketPathProblem(socketPath: string): string | null {
  if (!path.isAbsolute(socketPath)) return `${socketPath}: a unix socket's path must be absolute`;
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) return `${socketPath} is ${bytes} bytes long; a unix socket's path may have at most ${MAX_SOCKET_PATH_BYTES} (choose a shorter data directory)`;
  return null;
}

/**
 * A directory only this user may enter (0700), created when missing and tightened when it exists
 * with more: what lies in it (the hub's own sockets) is nobody else's business.
 */
export function privateDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user (uid ${st.uid})`);
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return dir;
}

/** Whether something accepts connections on the unix socket `socketPath`. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Makes `server` listen on the unix socket `socketPath` with permissions `mode` (the socket is
 * created with them: no moment with wider ones). A socket left by a process that died is
 * replaced; one that still answers, or a file that is not a socket, is an error.
 */
export async function listenOnSocket(server: net.Server, socketPath: string, mode = 0o600): Promise<void> {
  const problem = socketPathProblem(socketPath);
  if (problem) throw new Error(problem);
  let existing: ReturnType<typeof lstatSync> | null = null;
  try {
    existing = lstatSync(socketPath);
  } catch {
    existing = null;
  }
  if (existing) {
    if (!existing.isSocket()) throw new Error(`${socketPath} exists and is not a unix socket; remove it or choose another path`);
    if (await answers(socketPath)) throw new Error(`another process listens on ${socketPath}; stop it first`);
    unlinkSync(socketPath);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // bind(2) happens within listen(): the umask applies to the socket file, and only to it
    const umask = process.umask(0o777 & ~mode);
    try {
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  // the umask can only take permissions away: give exactly `mode` (e.g. group write for a proxy)
  chmodSync(socketPath, mode);
}
