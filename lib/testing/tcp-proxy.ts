/**
 * A proxy in front of a service (a TCP port or a unix socket) that a test can take down and bring
 * back at the same address: the hub's database or results store "unreachable" for the hub alone,
 * while everything else on the machine keeps using the real service. It listens on 127.0.0.1 or,
 * like the hub's own services (`npm start`: nothing of the hub's crosses loopback), on a unix
 * socket. `down()` refuses new connections and cuts the open ones, as a network partition or a
 * crashed server would; a socket-path proxy that is down has no socket file, as a stopped server.
 */
import net from "node:net";
import { listenOnSocket } from "../platform/unix-socket.ts";

export type ProxyTarget = { port: number; host?: string } | { path: string };

export interface TcpProxy {
  /** the TCP port it listens on (0 when it listens on a unix socket) */
  readonly port: number;
  /** the unix socket it listens on, or null (TCP) */
  readonly path: string | null;
  readonly isUp: boolean;
  /** connections accepted so far */
  readonly accepted: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 (a free port), or on the unix socket `listen.path`. */
export async function startTcpProxy(target: ProxyTarget, listen: { path: string } | null = null): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  let server: net.Server | null = null;
  let port = 0;

  const start = async () => {
    const s = net.createServer((client) => {
      accepted++;
      const upstream = "path" in target ? net.connect(target.path) : net.connect(target.port, target.host ?? "127.0.0.1");
      open.add(client);
      open.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    if (listen) {
      await listenOnSocket(s, listen.path, 0o600);
    } else {
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      port = (s.address() as net.AddressInfo).port;
    }
    server = s;
  };

  const down = async () => {
    const s = server;
    server = null;
    for (const sock of open) sock.destroy();
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await start();
  return {
    get port() {
      return port;
    },
    path: listen?.path ?? null,
    get isUp() {
      return server !== null;
    },
    get accepted() {
      return accepted;
    },
    down,
    async up() {
      if (!server) await start();
    },
    close: down,
  };
}
