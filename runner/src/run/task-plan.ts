/**
 * Everything that can refuse a task before anything exists: the run's task quota, the
 * containers it needs at once, links to tasks that are not running, and each container's
 * configuration under the policy. Pure: the same request and facts give the same plan.
 */
import path from "node:path";
import { ChannelReplyError } from "../channel/channel.ts";
import { taskWeight, toolContainerConfig, type ContainerFacts, type RunFacts, type ToolContainerPlan } from "../policy/container-config.ts";
import { packageDir } from "../package/dependencies.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { RunRefs } from "../refs.ts";
import type { CrSpec } from "../channel/spec.ts";
import { planFiles, type PlannedFile } from "./task-files.ts";
import { forwardSecrets } from "../secrets/env.ts";
import type { RunError } from "../types.ts";

/** One container of a task as planned: the tool (`service` null) or one of its services. */
export interface PlannedContainer {
  service: string | null;
  /** the Cr as the container gets it: the secrets its env forwards put in */
  cr: CrSpec;
  facts: ContainerFacts;
  files: PlannedFile[];
  /** null when the image is not available to this run: the task then fails like a missing image */
  plan: ToolContainerPlan | null;
  imageError: RunError | null;
  /** where this container's `files=` paths resolve: its Cr's package (the run's own, or a dependency) */
  pkgDir: string;
}

export interface PlanFacts {
  policy: RunPolicy;
  run: RunFacts;
  runDir: string;
  taskTimeoutMs: number;
  /** hosts (`lev-tN`) of the run's tasks whose container is running */
  runningHosts: Set<string>;
  /** the task runs under this dependency's verified grant (ContainerFacts.isolatedFor) */
  isolatedFor?: string;
  /**
   * the run's typed references (RunSpec.refs): the only files a `Cr(files=…)` reference may name,
   * and the only secrets a `Cr(env=…)` may forward
   */
  refs?: RunRefs;
}

/** The containers of task `n` (services first, the tool last), or the refusal it gets. */
export function planTask(cr: CrSpec, n: number, f: PlanFacts): PlannedContainer[] {
  const { limits } = f.policy;
  if (n > limits.maxTasks) {
    throw new ChannelReplyError("QuotaExceeded", `this run may start at most ${limits.maxTasks} tasks; no more are started`);
  }
  const weight = taskWeight(cr);
  if (weight > limits.maxConcurrentTasks) {
    throw new ChannelReplyError(
      "QuotaExceeded",
      `a Cr with ${weight - 1} services needs ${weight} containers at once; this run may have at most ${limits.maxConcurrentTasks}`,
    );
  }
  const taskDir = path.join(f.runDir, "tasks", String(n));
  const name = `lev-${f.run.runId}-t${n}`;
  const containers: [string | null, CrSpec, string, string[]][] = [
    ...Object.entries(cr.services).map(([s, svc]): [string, CrSpec, string, string[]] => [s, svc, `${name}-${s}`, [s]]),
    [null, cr, name, [`lev-t${n}`]],
  ];
  return containers.map(([service, c, cname, aliases]) => {
    for (const target of Object.values(c.links)) {
      if (!f.runningHosts.has(target)) throw new ChannelReplyError("InvalidRequest", `links: '${target}' is not a running task of this run`);
    }
    const dir = path.join(taskDir, service === null ? "tool" : `svc-${service}`);
    const pkgDir = packageDir(c.package, f.run.pkgDir, f.run.deps);
    if (pkgDir === null) throw new ChannelReplyError("InvalidRequest", `Cr(package='${c.package}'): not a dependency of this run`);
    const files = planFiles(c, path.join(dir, "files"), f.refs);
    // the secrets this container's env forwards, their values in place of their tokens
    const { env, forwarded } = forwardSecrets(c, f.refs ?? {});
    const withSecrets: CrSpec = { ...c, env };
    const facts: ContainerFacts = {
      name: cname,
      role: service === null ? "tool" : "service",
      task: n,
      chanDir: path.join(dir, "chan"),
      files: files.map((x) => ({ host: x.host, target: x.target })),
      aliases,
      links: [],
      extraHosts: [],
      taskTimeoutMs: f.taskTimeoutMs,
      ...(f.isolatedFor === undefined ? {} : { isolatedFor: f.isolatedFor }),
      ...(Object.keys(forwarded).length ? { secrets: forwarded } : {}),
    };
    const r = toolContainerConfig(withSecrets, f.policy, f.run, facts);
    if (r.ok) return { service, cr: withSecrets, facts, files, plan: r.value, imageError: null, pkgDir };
    // an image this run may not use reads exactly like a missing one: it fails as a task
    if (r.error.type === "ImageNotFound") return { service, cr: withSecrets, facts, files, plan: null, imageError: r.error, pkgDir };
    throw new ChannelReplyError(r.error.type, r.error.message);
  });
}
