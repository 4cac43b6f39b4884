/**
 * Which grant a task of a run gets: the run's, or the run's plus the grant of the dependency whose
 * code built its Cr — once the dependencies' layout was checked and the planner rebuilt the same
 * Cr from that dependency's code (policy/package-grant.ts decides, policy/planner.ts rebuilds). Crs without
 * such a claim cost nothing here.
 */
import { checkDependencyLayout, packageKey } from "../package/dependencies.ts";
import type { LogSink } from "../channel/log-sink.ts";
import { dependencyClaim, taskPolicy } from "../policy/package-grant.ts";
import { Planner } from "../policy/planner.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { RunContext } from "./context.ts";
import type { RunFacts } from "../policy/container-config.ts";
import type { CrSpec } from "../channel/spec.ts";

export interface TaskGrant {
  policy: RunPolicy;
  /** `ns.name` of the dependency whose grant applies: its containers run isolated */
  isolatedFor?: string;
}

export class DependencyGrants {
  private planner: Planner | null = null;
  private layout: Promise<string | null> | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly facts: RunFacts,
    private readonly policy: RunPolicy,
    private readonly sink: LogSink,
  ) {}

  async forCr(cr: CrSpec): Promise<TaskGrant> {
    const { policy } = this;
    const claim = dependencyClaim(cr, policy);
    if (!claim || !cr.entry) return { policy };
    if (!this.facts.deps.some((d) => packageKey(d) === claim.package)) return { policy };
    this.layout ??= checkDependencyLayout(this.facts.deps);
    const badLayout = await this.layout;
    if (badLayout) {
      this.sink.system(0, `${badLayout}; no dependency's grant is used in this run`);
      return { policy };
    }
    this.planner ??= new Planner({
      engine: this.ctx.engine,
      runId: this.facts.runId,
      instance: this.facts.instance,
      owner: this.facts.owner,
      runtimeDir: this.facts.runtimeDir,
      image: this.facts.workflowImage,
      deps: this.facts.deps,
      log: (line) => this.sink.system(0, line, { internal: true }),
    });
    const where = `${cr.entry.builder.module}.${cr.entry.builder.qualname}()`;
    this.sink.system(0, `${where}: checking that ${claim.package} builds this Cr (planner)`, { internal: true });
    const rebuilt = await this.planner.rebuild(claim.package, cr.entry);
    const result = taskPolicy(cr, policy, claim, rebuilt);
    if (result === policy) {
      this.sink.system(0, `${where}: the Cr is not the one ${claim.package} builds; it gets this run's grant only`);
      return { policy };
    }
    return { policy: result, isolatedFor: claim.package };
  }

  /** The run is ending: planner containers still running are killed. */
  stop(): Promise<void> {
    return this.planner?.stop() ?? Promise.resolve();
  }
}
