/**
 * Starting a task whose checks passed and whose slot, files and channels are ready: its services
 * first (each waited for on its ports), then the tool container, with its time limit armed and
 * its exit watched. Each container's configuration comes from the pure `toolContainerConfig`.
 */
import { ChannelReplyError } from "../channel/channel.ts";
import { toolContainerConfig, type ToolContainerPlan } from "../policy/container-config.ts";
import { waitForPorts } from "./ports.ts";
import type { RunNetwork } from "./run-network.ts";
import type { CrSpec } from "../channel/spec.ts";
import type { TaskHost, TaskState } from "./task-state.ts";
import type { PlannedContainer } from "./task-plan.ts";
import { mayPauseBeforeEntry, taskDebugRefusal } from "../debug/task-debug.ts";

/** A planned container whose image is on the engine (`image`: what really runs). */
export type ReadyContainer = PlannedContainer & { plan: ToolContainerPlan; image: string };

export interface ContainerStarter {
  host: TaskHost;
  network: RunNetwork;
  /** the task of this run running under a host name, or null */
  runningTask(host: string): TaskState | null;
  /** the tool container started */
  started(): void;
  /** the tool container exited (or waiting for it failed) */
  ended(state: TaskState, exitCode: number | null, waitError?: unknown): void;
}

/** `links=` → docker links, or extra hosts for a host-network container. */
async function resolveLinks(s: ContainerStarter, cr: CrSpec, hostMode: boolean): Promise<{ links: string[]; extraHosts: string[] }> {
  const links: string[] = [];
  const extraHosts: string[] = [];
  for (const [alias, target] of Object.entries(cr.links)) {
    const other = s.runningTask(target);
    if (!other?.containerId) {
      throw new ChannelReplyError("InvalidRequest", `links: '${target}' is not a running task of this run`);
    }
    if (!other.onRunNetwork) {
      await s.network.join(other.containerId, other.record.host);
      other.onRunNetwork = true;
    }
    if (hostMode) {
      const ip = (await s.host.ctx.engine.inspect(other.containerId)).ips[s.host.facts.runNetwork];
      if (ip) extraHosts.push(`${alias}:${ip}`);
    } else links.push(`${other.name}:${alias}`);
  }
  return { links, extraHosts };
}

/** Creates and starts the task's services, then its tool container; the last of `ready` is the tool. */
export async function startContainers(s: ContainerStarter, state: TaskState, ready: ReadyContainer[]): Promise<void> {
  const { engine } = s.host.ctx;
  const n = state.record.number;
  const tool = ready[ready.length - 1];
  const deadline = Date.now() + tool.plan.timeoutMs;
  const serviceHosts: string[] = [];
  for (const p of ready) {
    const resolved = await resolveLinks(s, p.cr, p.plan.hostMode);
    const r = toolContainerConfig(p.cr, state.policy, s.host.facts, { ...p.facts, ...resolved });
    if (!r.ok) throw new ChannelReplyError(r.error.type, r.error.message);
    const { spec, hostMode, segment } = r.value;
    spec.image = p.image;
    if (p.service === null) {
      state.container = { user: spec.user, capAdd: [...spec.capAdd], network: spec.network };
      // only a task a debugger could enter waits for one (no grant, no secret)
      const facts = { container: state.container, policy: state.policy, holdsSecret: state.holdsSecret, ...(state.isolatedFor === undefined ? {} : { isolatedFor: state.isolatedFor }) };
      if (s.host.params.debugPause && p.cr.entry) {
        if (mayPauseBeforeEntry(facts)) {
          state.pauses = true;
          spec.env = [...spec.env, "LEV_DEBUG_PAUSE=1"];
        } else s.host.sink.system(n, `task ${n} does not pause before its entry: it may not be debugged (${taskDebugRefusal({ ...facts, running: true })?.message})`);
      }
    }
    if (p.service === null) spec.extraHosts = [...(spec.extraHosts ?? []), ...serviceHosts];
    if (spec.network === s.host.facts.runNetwork) {
      await s.network.ensure();
      // a scoped run's containers resolve outside names only through its responder (names in scope)
      const resolver = s.host.scope.resolver;
      if (resolver) spec.dns = [resolver];
    } else if (s.host.scope.scoped && spec.network !== "none") s.host.scope.outside(n, hostMode ? "the host's network" : "a LAN segment");
    if (segment) await engine.ensureSegmentNetwork(spec.network, segment);
    if (s.host.ending()) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    const id = await engine.create(spec);
    s.host.containers.add(id);
    if (p.service === null) {
      state.containerId = id;
      state.onRunNetwork = spec.network === s.host.facts.runNetwork;
    } else state.serviceIds.push(id);
    await engine.attach(id, (stream, chunk) => s.host.sink.output(n, stream, chunk));
    if (s.host.ending()) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    await engine.start(id);
    if (p.service !== null) {
      s.host.sink.system(n, `service '${p.service}' started (${p.cr.image})`);
      await waitForPorts(engine, id, p.cr.ports, hostMode, deadline);
      if (tool.plan.hostMode) {
        const ip = Object.values((await engine.inspect(id)).ips)[0];
        if (ip) serviceHosts.push(`${p.service}:${ip}`);
      }
      continue;
    }
    state.record.status = "running";
    const timeoutMs = r.value.timeoutMs;
    state.timer = setTimeout(() => {
      state.timedOut = true;
      s.host.sink.system(n, `task ${n} exceeded its time limit of ${Math.round(timeoutMs / 1000)} s; killing it`);
      void engine.kill(id, "SIGKILL");
    }, timeoutMs);
    s.host.ctx.log("task started", { run: s.host.facts.runId, task: n, container: id.slice(0, 12), image: spec.image });
    s.host.emit({ type: "task.started", task: { ...state.record } });
    s.started();
    void engine
      .wait(id)
      .then((code) => s.ended(state, code))
      .catch((err: unknown) => s.ended(state, null, err));
    if (p.cr.ports.length) await waitForPorts(engine, id, p.cr.ports, hostMode, deadline);
    if (state.signalled) await engine.kill(id, "SIGINT");
  }
}
