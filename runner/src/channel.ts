import { chmod, rm } from "node:fs/promises";
import net from "node:net";
import type { RunError } from "./types.ts";

/** An error answered to the workflow as `{ok: false, error}`; `type` becomes the Python exception class. */
export class ChannelReplyError extends Error {
  constructor(
    readonly type: string,
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

export type RequestHandler = (op: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

const MAX_LINE = 16 * 1024 * 1024;

/**
 * The runner's end of the per-run channel: newline-delimited JSON over a unix socket.
 * Requests are handled concurrently; each gets exactly one answer.
 */
export class ChannelServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly path: string,
    private readonly handler: RequestHandler,
    private readonly onProtocolError: (message: string) => void,
  ) {
    this.server = net.createServer((s) => this.accept(s));
  }

  static async listen(
    path: string,
    handler: RequestHandler,
    onProtocolError: (message: string) => void,
  ): Promise<ChannelServer> {
    const ch = new ChannelServer(path, handler, onProtocolError);
    await new Promise<void>((resolve, reject) => {
      ch.server.once("error", reject);
      ch.server.listen(path, () => resolve());
    });
    // the workflow runs as an unprivileged user
    await chmod(path, 0o666);
    return ch;
  }

  private accept(socket: net.Socket) {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    let buf = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && !buf.includes("\n")) {
        this.onProtocolError("channel message larger than 16 MiB; closing the channel");
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) void this.dispatch(socket, line);
      }
    });
  }

  private async dispatch(socket: net.Socket, line: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.onProtocolError(`invalid JSON on the channel: ${line.slice(0, 200)}`);
      return;
    }
    if (!msg || typeof msg !== "object" || typeof (msg as { id?: unknown }).id !== "number") {
      this.onProtocolError(`channel message without a numeric id: ${line.slice(0, 200)}`);
      return;
    }
    const { id, op, ...body } = msg as { id: number; op?: unknown };
    let reply: Record<string, unknown>;
    try {
      if (typeof op !== "string") throw new ChannelReplyError("InvalidRequest", "missing op");
      const result = await this.handler(op, body);
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
