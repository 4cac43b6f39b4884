/**
 * A FakeEngine whose containers cost nothing and play a levrt run over the runner's real
 * channels: the workflow container starts `tasks` tools (`parallel` at a time, each started and
 * awaited as `await Cr(...)` does), every tool stores one document over its task channel, says
 * it is final (`done`, as levrt does) and exits 0, then the workflow exits 0. What is left to
 * measure is the software around the containers: queue, worker, runner, event reporting and the
 * results store. For bench:queue.
 */
import { channelClient, FakeEngine, type FakeContainer } from "./fake-engine.ts";
import type { ContainerState } from "../src/engine/engine.ts";

export interface PlayOptions {
  /** tool tasks each workflow starts */
  tasks: number;
  /** tools awaited at once by one workflow */
  parallel?: number;
  /** the tools' schema (the collection is this under the run's namespace path) */
  schema: string;
  image?: string;
}

export class PlayingEngine extends FakeEngine {
  private readonly exits = new Map<string, number>();
  /** tool containers that stored their document and exited */
  toolsDone = 0;

  constructor(private readonly play: PlayOptions) {
    super();
    this.onStart = (c) => {
      const role = c.spec.labels["zone.lev.role"];
      if (role === "workflow") void this.workflow(c);
      else if (role === "tool") void this.tool(c);
    };
  }

  private async workflow(c: FakeContainer) {
    try {
      const ch = await channelClient(FakeEngine.socketOf(c));
      let next = 0;
      const image = this.play.image ?? "levhub/python:bookworm";
      const chain = async () => {
        while (next < this.play.tasks) {
          next++;
          const s = await ch.request("start", { cr: { image, schema: this.play.schema, cmd: ["play"] }, ns: [] });
          if (!s.ok) throw new Error(`start refused: ${JSON.stringify(s.error)}`);
          const w = await ch.request("wait", { task: (s.result as { task: number }).task });
          if (!w.ok) throw new Error(`wait refused: ${JSON.stringify(w.error)}`);
        }
      };
      await Promise.all(Array.from({ length: this.play.parallel ?? 1 }, chain));
      ch.close();
      c.exit(0);
    } catch (err) {
      c.listener?.("stderr", Buffer.from(`${String(err)}\n`));
      c.exit(1);
    }
  }

  private async tool(c: FakeContainer) {
    try {
      const ch = await channelClient(FakeEngine.socketOf(c));
      const r = await ch.request("put", { fields: { task: Number(c.spec.labels["zone.lev.task"]), played: true } });
      // as levrt does at its exit: the document is final
      if (r.ok) await ch.request("done", {});
      ch.close();
      this.toolsDone++;
      c.exit(r.ok ? 0 : 1);
    } catch (err) {
      c.listener?.("stderr", Buffer.from(`${String(err)}\n`));
      c.exit(1);
    }
  }

  // removed containers are forgotten, so a long bench measures the worker, not this double's memory
  override async remove(id: string) {
    const c = this.containers.get(id);
    await super.remove(id);
    if (c) this.exits.set(id, c.exitCode ?? 137);
    this.containers.delete(id);
    this.calls.length = 0;
  }

  override async inspect(id: string): Promise<ContainerState> {
    if (!this.containers.has(id)) return { running: false, exitCode: this.exits.get(id) ?? 137, ips: {} };
    return super.inspect(id);
  }

  override wait(id: string): Promise<number> {
    if (!this.containers.has(id)) return Promise.resolve(this.exits.get(id) ?? 137);
    return super.wait(id);
  }

  override async kill(id: string, signal?: string) {
    if (this.containers.has(id)) await super.kill(id, signal);
  }
}
