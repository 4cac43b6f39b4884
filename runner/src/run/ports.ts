import net from "node:net";
import { ChannelReplyError } from "../channel/channel.ts";
import type { ContainerEngine } from "../engine/engine.ts";

function probe(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port, timeout: 500 });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

/**
 * Waits until every port of `ports` accepts TCP connections on the container (on 127.0.0.1 for a
 * host-network container); fails when the container exits first or `deadline` passes.
 */
export async function waitForPorts(
  engine: ContainerEngine,
  containerId: string,
  ports: number[],
  hostMode: boolean,
  deadline: number,
): Promise<void> {
  if (!ports.length) return;
  const info = await engine.inspect(containerId);
  const ip = hostMode ? "127.0.0.1" : Object.values(info.ips)[0];
  if (!ip) throw new ChannelReplyError("RunnerError", "ports: the container has no address to probe");
  for (const port of ports) {
    while (!(await probe(ip, port))) {
      const state = await engine.inspect(containerId);
      if (!state.running) throw new ChannelReplyError("TaskFailed", `ports: the container exited before port ${port} opened`);
      if (Date.now() > deadline) throw new ChannelReplyError("TaskTimeout", `ports: port ${port} did not open in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
