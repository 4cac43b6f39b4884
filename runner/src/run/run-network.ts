import type { RunFacts } from "../policy/container-config.ts";
import type { ContainerEngine } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";

/**
 * The run's own bridge network, where its containers resolve each other by name: created on
 * first use (most runs need none), joined by linked tasks, removed when the run ends.
 */
export class RunNetwork {
  private created: Promise<string> | null = null;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly run: RunFacts,
  ) {}

  get name(): string {
    return this.run.runNetwork;
  }

  ensure(): Promise<string> {
    this.created ??= this.engine.createNetwork(this.name, createLabels(this.run.instance, this.run.runId, "network", undefined, this.run.owner));
    return this.created.then(() => this.name);
  }

  /** a running container joins under `alias` */
  async join(containerId: string, alias: string): Promise<void> {
    await this.engine.connectNetwork(await this.ensure(), containerId, [alias]);
  }

  async remove(): Promise<void> {
    if (!this.created) return;
    await this.created.then((id) => this.engine.removeNetwork(id)).catch(() => undefined);
  }
}
