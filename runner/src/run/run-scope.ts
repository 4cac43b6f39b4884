/**
 * A scoped run's enforcement (scope/enforcer.ts) over its life: the rules go in when its bridge is
 * created, before any container joins it; its blocked attempts are read while it runs and at its
 * end, and reported as `scope` events (the whole capped list each time: the hub keeps the last);
 * the rules go when the run ends. A run whose runner cannot enforce says so in one `scope` event
 * (unenforced), and a run whose policy requires enforcement does not start its first container.
 */
import type { CompiledScope } from "../scope/check.ts";
import type { ScopeEnforcement } from "../scope/enforcer.ts";
import { bridgeName, scopeKey, type BlockedAttempt } from "../scope/nft.ts";
import type { BlockedName } from "../scope/blocked.ts";
import type { RunContext } from "./context.ts";
import type { RunEvent, ScopeReport } from "../types.ts";

/** blocked destinations reported per run; the rest are counted */
export const MAX_REPORTED_BLOCKED = 256;
const POLL_MS = 2_000;

export class RunScope {
  private enforcement: ScopeEnforcement | null = null;
  private timer: NodeJS.Timeout | null = null;
  private last = "";
  private reading: Promise<void> = Promise.resolve();
  private ended = false;
  private unenforcedBy: string | null = null;
  private lastReport: ScopeReport | null = null;
  /** the rules going in: a run may end while they do (its network is prepared at its start) */
  private enforcing: Promise<void> | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly runId: string,
    private readonly scope: CompiledScope | undefined,
    private readonly required: boolean,
    private readonly emit: (ev: RunEvent) => void,
    private readonly system: (line: string) => void,
  ) {}

  /** the run's bridge interface name when its rules are enforced (the run network is created with it) */
  get bridge(): string | undefined {
    return this.scope && this.ctx.scopeEnforcer ? bridgeName(scopeKey(this.runId)) : undefined;
  }

  get scoped(): boolean {
    return this.scope !== undefined;
  }

  /** the run's DNS responder's address, once its rules are in place (absent: none, or not scoped) */
  get resolver(): string | undefined {
    return this.enforcement?.resolver;
  }

  /** The run's bridge exists, nothing is on it yet: its rules go in, or the run cannot go on. */
  enforce(): Promise<void> {
    this.enforcing ??= this.setUp();
    return this.enforcing;
  }

  private async setUp(): Promise<void> {
    if (!this.scope || this.ended) return;
    const enforcer = this.ctx.scopeEnforcer;
    if (!enforcer) {
      const reason = "this worker's engine cannot enforce a scope";
      if (this.required) throw new Error(`the project requires its scope enforced by the network; ${reason}`);
      this.report({ enforcement: "unenforced", reason, blocked: [], blockedDropped: 0 });
      this.system(`the scope is not enforced by the network: ${reason}`);
      return;
    }
    const started = Date.now();
    this.enforcement = await enforcer.setUp(this.runId, this.scope);
    this.ctx.log("scope enforced", { run: this.runId, bridge: this.enforcement.bridge, ms: Date.now() - started });
    if (this.enforcement.unresolved.length) this.system(`service endpoints not allowed (their names did not resolve): ${this.enforcement.unresolved.join(", ")}`);
    if (this.enforcement.resolverError) this.system(`the run has no DNS responder (${this.enforcement.resolverError}): its containers resolve no name outside the run`);
    this.report({ ...summarise([], this.enforcement.blockedNames()), resolver: this.enforcement.resolver !== undefined });
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  /**
   * A container of task `n` joins a network outside the scope's rules (the owner allowed
   * host-network runs): the run is reported unenforced from now on, with why.
   */
  outside(n: number, where: string): void {
    if (this.unenforcedBy) return;
    this.unenforcedBy = `task ${n} ran on ${where}, outside the scope's enforcement (the project allows host-network runs)`;
    this.system(`the scope is not enforced for task ${n}: it runs on ${where}`);
    this.report({ ...(this.lastReport ?? { blocked: [], blockedDropped: 0 }), enforcement: "unenforced" });
  }

  /** one event per change (a poll that found nothing new sends nothing) */
  private report(given: ScopeReport) {
    const r: ScopeReport = this.unenforcedBy ? { ...given, enforcement: "unenforced", reason: this.unenforcedBy } : given;
    this.lastReport = r;
    const key = JSON.stringify(r);
    if (key === this.last) return;
    this.last = key;
    this.emit({ type: "scope", scope: r });
  }

  private poll(): Promise<void> {
    const e = this.enforcement;
    if (!e) return this.reading;
    this.reading = this.reading.then(async () => {
      const all = await e.blocked().catch(() => null);
      if (all) this.report({ ...summarise(all, e.blockedNames()), resolver: e.resolver !== undefined });
    });
    return this.reading;
  }

  /** The run is over and its containers gone: its last blocked attempts reported. */
  async end(): Promise<void> {
    this.ended = true;
    // rules that were still going in when the run ended are in place before they are read and removed
    await this.enforcing?.catch(() => undefined);
    if (this.timer) clearInterval(this.timer);
    if (this.enforcement) await this.poll();
  }

  /**
   * After `end`: the rules removed. Nothing is on the run's bridge any more, so this may happen
   * after the run's end is reported, before the bridge itself goes.
   */
  async release(): Promise<void> {
    await this.enforcement?.tearDown().catch((err: Error) => this.ctx.log("scope rules not removed (the reaper will)", { run: this.runId, error: err.message }));
  }
}

/** Most packets first, capped; the names the responder refused (already capped and sorted by it); the enforcement is on. */
export function summarise(all: BlockedAttempt[], names: { names: BlockedName[]; dropped: number } = { names: [], dropped: 0 }): ScopeReport {
  const sorted = [...all].sort((a, b) => b.packets - a.packets || a.address.localeCompare(b.address) || a.port - b.port);
  return {
    enforcement: "enforced",
    blocked: sorted.slice(0, MAX_REPORTED_BLOCKED),
    blockedDropped: Math.max(0, sorted.length - MAX_REPORTED_BLOCKED),
    ...(names.names.length ? { blockedNames: names.names } : {}),
    ...(names.dropped ? { blockedNamesDropped: names.dropped } : {}),
  };
}
