import type { RunFacts } from "../policy/container-config.ts";
import type { ContainerEngine } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import type { RunScope } from "./run-scope.ts";

/**
 * The run's own bridge network, where its containers resolve each other by name: created on
 * first use (most runs need none; a scoped run's at its start, `prepare`), joined by linked
 * tasks, removed right after the run ends (once its containers and rules are gone;
 * `Runner.settled` waits for it). A scoped run's bridge has a known interface name, and its rules
 * are in place before `ensure` resolves, so before any container joins it.
 */
export class RunNetwork {
  private created: Promise<string> | null = null;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly run: RunFacts,
    private readonly scope: RunScope,
  ) {}

  get name(): string {
    return this.run.runNetwork;
  }

  private enforced: Promise<void> = Promise.resolve();

  async ensure(): Promise<string> {
    if (!this.created) {
      const bridgeName = this.scope.bridge;
      const created = this.engine.createNetwork(this.name, createLabels(this.run.instance, this.run.runId, "network", undefined, this.run.owner), bridgeName ? { bridgeName } : undefined);
      // the network exists even when its rules fail: `remove` still removes it
      this.created = created;
      this.enforced = created.then(() => this.scope.enforce());
    }
    await this.enforced;
    return this.created.then(() => this.name);
  }

  /**
   * A scoped run puts every networked tool on its bridge: the bridge, its rules and its DNS
   * responder are made while the workflow container starts, not after it asks for its first tool.
   * A failure is not lost: the first tool's `ensure` meets it.
   */
  prepare(): void {
    this.ensure().catch(() => undefined);
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
