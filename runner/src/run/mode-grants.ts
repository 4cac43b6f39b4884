/**
 * Which grant a task of a run gets, and which Cr it runs: the run's grant for the workflow's Cr, or
 * a mode's grant for the Cr the planner built by calling that mode — once the dependencies' layout
 * was checked (policy/package-grant.ts decides, policy/planner.ts builds). Crs asking for nothing
 * beyond the run's grant cost nothing here.
 */
import { checkDependencyLayout, packageKey } from "../package/dependencies.ts";
import type { LogSink } from "../channel/log-sink.ts";
import { decideGrant, taskFromRebuilt } from "../policy/package-grant.ts";
import { Planner } from "../policy/planner.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { RunContext } from "./context.ts";
import type { RunFacts } from "../policy/container-config.ts";
import type { CrSpec } from "../channel/spec.ts";

export interface TaskGrant {
  policy: RunPolicy;
  /** the Cr the task runs: the workflow's, or the one the planner built from the claimed mode */
  cr: CrSpec;
  /** `ns.name` of the dependency whose mode's grant applies: its containers run isolated */
  isolatedFor?: string;
}

export class ModeGrants {
  private planner: Planner | null = null;
  private layout: Promise<string | null> | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly facts: RunFacts,
    private readonly policy: RunPolicy,
    private readonly sink: LogSink,
  ) {}

  /** the run's own package, `ns.name` lower-case */
  private get own(): string {
    return this.facts.pkgModule.replace(/^lev\./, "").toLowerCase();
  }

  async forCr(cr: CrSpec): Promise<TaskGrant> {
    const run = { policy: this.policy, cr };
    const decision = decideGrant(cr, this.policy, this.own);
    if (decision.kind === "run") {
      if (decision.why) this.sink.system(0, decision.why);
      return { ...run, policy: decision.policy };
    }
    const { claim } = decision;
    const isOwn = claim.package === this.own;
    if (!isOwn && !this.facts.deps.some((d) => packageKey(d) === claim.package)) return run;
    this.layout ??= checkDependencyLayout(this.facts.deps);
    const badLayout = await this.layout;
    if (badLayout) {
      this.sink.system(0, `${badLayout}; no mode's grant is used in this run`);
      return run;
    }
    this.planner ??= new Planner({
      engine: this.ctx.engine,
      runId: this.facts.runId,
      instance: this.facts.instance,
      owner: this.facts.owner,
      runtimeDir: this.facts.runtimeDir,
      image: this.facts.workflowImage,
      deps: this.facts.deps,
      own: { key: this.own, module: this.facts.pkgModule, dir: this.facts.pkgDir },
      log: (line) => this.sink.system(0, line, { internal: true }),
    });
    const where = `${claim.builder}()`;
    this.sink.system(0, `${where}: the planner builds this Cr from ${claim.package}'s own code`, { internal: true });
    const rebuilt = await this.planner.rebuild(claim.package, cr.entry!);
    const task = taskFromRebuilt(cr, this.policy, claim, this.own, rebuilt);
    if (!task.ok) {
      this.sink.system(0, `${where}: ${task.why}; it gets this run's grant only`);
      return run;
    }
    return { policy: task.policy, cr: task.cr, ...(isOwn ? {} : { isolatedFor: claim.package }) };
  }

  /** The run is ending: planner containers still running are killed. */
  stop(): Promise<void> {
    return this.planner?.stop() ?? Promise.resolve();
  }
}
