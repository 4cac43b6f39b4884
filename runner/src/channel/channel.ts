import { chmod, chown, rm } from "node:fs/promises";
import net from "node:net";
import type { RunError, RunnerErrorType } from "../types.ts";

/** An error answered as `{ok: false, error}`; `type` becomes the Python exception class. */
export class ChannelReplyError extends Error {
  constructor(
    readonly type: RunnerErrorType,
    message: string,
    readonly traceback: string | null = null,
    readonly task: number | null = null,
  ) {
    super(message);
    this.name = "ChannelReplyError";
  }

  toJSON(): RunError {
    return { type: this.type, message: this.message, traceback: this.traceback, task: this.task };
  }
}

export interface FrameInfo {
  /** bytes of the request line, newline excluded */
  bytes: number;
}

export type RequestHandler = (op: string, body: Record<string, unknown>, frame: FrameInfo) => Promise<Record<string, unknown>>;

export interface ChannelOptions {
  /** the largest request line; a longer one is drained (counted, not kept) and refused */
  maxFrameBytes: number;
  /** something the peer sent that is not a request; the channel goes on */
  onProtocolError: (message: string) => void;
  /**
   * A request line over `maxFrameBytes` (its size once its newline arrived, or what came before
   * the peer closed); `shared` when it was the connections together that went over. A returned error is answered with `id: null` and the connection goes on;
   * otherwise the connection is closed.
   */
  onOversize?: (bytes: number, shared: boolean) => ChannelReplyError | void;
  /** connections at once (levrt uses one per process); default 8 */
  maxConnections?: number;
  /** who connects: the socket is given to this uid with mode 0600 (or 0666 when the runner cannot chown) */
  uid: number;
  /** why the socket could not be made private (the runner is not root) */
  onPermissionFallback?: (message: string) => void;
}

/**
 * Makes a freshly bound socket reachable by exactly one container user: owned by `uid`, mode
 * 0600. A runner that is not root cannot chown; the socket then stays 0666, still inside the
 * runner's private (0700) run directory, so only the container it is mounted into reaches it.
 */
export async function restrictSocket(path: string, uid: number, onFallback?: (message: string) => void): Promise<void> {
  try {
    await chown(path, uid, uid);
    await chmod(path, 0o600);
  } catch (err) {
    await chmod(path, 0o666);
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    onFallback?.(`channel socket ${path} is mode 0666 inside the runner's private directory: it cannot be given to uid ${uid} (${why}; the runner is not root)`);
  }
}

const NL = 0x0a;

/**
 * The runner's end of a channel: newline-delimited JSON over a unix socket. Requests are handled
 * concurrently; each gets exactly one answer. Input is kept as Buffers (no string concatenation)
 * and every line is capped, so a peer cannot make the runner grow or spin.
 */
export class ChannelServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** bytes of unfinished lines kept across all connections: one line's worth at most */
  private buffered = 0;
  private peak = 0;

  private constructor(
    readonly path: string,
    private readonly handler: RequestHandler,
    private readonly opts: ChannelOptions,
  ) {
    this.server = net.createServer((s) => this.accept(s));
    this.server.maxConnections = opts.maxConnections ?? 8;
  }

  /** the most bytes of unfinished lines this server ever held at once (never above `maxFrameBytes`) */
  get peakBufferedBytes(): number {
    return this.peak;
  }

  static async listen(path: string, handler: RequestHandler, opts: ChannelOptions): Promise<ChannelServer> {
    const ch = new ChannelServer(path, handler, opts);
    await new Promise<void>((resolve, reject) => {
      ch.server.once("error", reject);
      ch.server.listen(path, () => resolve());
    });
    try {
      await restrictSocket(path, opts.uid, opts.onPermissionFallback);
    } catch (err) {
      await ch.close();
      throw err;
    }
    return ch;
  }

  private accept(socket: net.Socket) {
    const max = this.opts.maxFrameBytes;
    let parts: Buffer[] = [];
    let size = 0;
    let oversize = false;
    let shared = false;
    // what this connection adds to `buffered`: many connections share one line's budget
    let kept = 0;
    this.sockets.add(socket);
    socket.on("close", () => {
      this.sockets.delete(socket);
      this.buffered -= kept;
      kept = 0;
    });
    socket.on("error", () => undefined);
    const overLimit = () => {
      const reply = this.opts.onOversize?.(size, shared);
      if (!reply) {
        socket.destroy();
        return false;
      }
      if (!socket.destroyed) socket.write(JSON.stringify({ id: null, ok: false, error: reply.toJSON() }) + "\n");
      return true;
    };
    const consume = (chunk: Buffer) => {
      let start = 0;
      while (start <= chunk.length) {
        const nl = chunk.indexOf(NL, start);
        const end = nl < 0 ? chunk.length : nl;
        const piece = end - start;
        if (!oversize && (size + piece > max || this.buffered + size + piece > max)) {
          oversize = true;
          shared = size + piece <= max;
          parts = [];
        }
        if (!oversize && piece > 0) parts.push(chunk.subarray(start, end));
        size += piece;
        if (nl < 0) {
          // keep only what this line needs, not the whole chunk it arrived in
          if (!oversize && parts.length) parts[parts.length - 1] = Buffer.from(parts[parts.length - 1]);
          return;
        }
        if (oversize) {
          if (!overLimit()) return;
        } else if (size > 0) {
          const line = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
          void this.dispatch(socket, line);
        }
        parts = [];
        size = 0;
        oversize = false;
        start = nl + 1;
      }
    };
    socket.on("data", (chunk: Buffer) => {
      this.buffered -= kept;
      consume(chunk);
      kept = oversize || socket.destroyed ? 0 : size;
      this.buffered += kept;
      if (this.buffered > this.peak) this.peak = this.buffered;
    });
    socket.on("end", () => {
      if (oversize) overLimit();
    });
  }

  private async dispatch(socket: net.Socket, raw: Buffer) {
    const line = raw.toString("utf8");
    if (!line.trim()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.opts.onProtocolError(`invalid JSON on the channel: ${line.slice(0, 200)}`);
      return;
    }
    if (!msg || typeof msg !== "object" || Array.isArray(msg) || typeof (msg as { id?: unknown }).id !== "number") {
      this.opts.onProtocolError(`channel message without a numeric id: ${line.slice(0, 200)}`);
      return;
    }
    const { id, op, ...body } = msg as { id: number; op?: unknown };
    let reply: Record<string, unknown>;
    try {
      if (typeof op !== "string") throw new ChannelReplyError("InvalidRequest", "missing op");
      const result = await this.handler(op, body, { bytes: raw.length });
      reply = { id, ok: true, result };
    } catch (err) {
      const e =
        err instanceof ChannelReplyError
          ? err
          : new ChannelReplyError("RunnerError", err instanceof Error ? err.message : String(err));
      reply = { id, ok: false, error: e.toJSON() };
    }
    if (!socket.destroyed) socket.write(JSON.stringify(reply) + "\n");
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.path, { force: true });
  }
}
