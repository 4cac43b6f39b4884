/**
 * A TCP proxy on 127.0.0.1 in front of a service (a TCP port or a unix socket) that a test can
 * take down and bring back on the same port: the hub's database or results store "unreachable"
 * for the hub alone, while everything else on the machine keeps using the real service.
 * `down()` refuses new connections and cuts the open ones, as a network partition or a crashed
 * server would.
 */
import net from "node:net";

export type ProxyTarget = { port: number; host?: string } | { path: string };

export interface TcpProxy {
  readonly port: number;
  readonly isUp: boolean;
  /** connections accepted so far */
  readonly accepted: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: ProxyTarget): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  let server: net.Server | null = null;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
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
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = null;
    for (const sock of open) sock.destroy();
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get isUp() {
      return server !== null;
    },
    get accepted() {
      return accepted;
    },
    down,
    async up() {
      if (!server) await listen();
    },
    close: down,
  };
}
