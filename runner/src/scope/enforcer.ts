/**
 * Applies a scoped run's network rules (nft.ts) on the machine of the engine: the worker must
 * share the engine's network namespace (it sees the run's bridge) and be root with `nft`. Set-up
 * and tear-down are one `nft -f -` transaction each; the run's blocked attempts are read from its
 * dynamic sets. Leftovers of a crashed worker (rules whose bridge is gone) are removed by
 * `reapLeftovers`, since everything is named after the run's key.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { lookup } from "node:dns/promises";
import type { ContainerEngine } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import type { CompiledScope } from "./check.ts";
import { parseAddress } from "./addresses.ts";
import { bridgeName, nftAllowAnswerScript, nftBaseScript, nftRunScript, nftTeardownScript, parseBlockedSet, runsInTable, scopeKey, NFT_TABLE, type AllowedEndpoint, type BlockedAttempt } from "./nft.ts";
import { DnsResponder, systemUpstream, type BlockedName, type Upstream } from "./dns-responder.ts";

const NFT_TIMEOUT_MS = 15_000;
/** what one nft command may print (a blocked set of 1024 elements is about 100 KB) */
const NFT_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Whether this worker can enforce a scope on its engine, per address family, and why not. */
export interface EnforceCapability {
  ipv4: boolean;
  ipv6: boolean;
  /** why it cannot, shown to admins; absent when it can */
  reason?: string;
}

export class NftError extends Error {}

/**
 * Runs `nft` with a script on stdin (or arguments), in this process's network namespace or the
 * named one: its stdout, or an NftError with what it printed.
 */
export function nft(args: string[], script?: string, netns?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = netns ? ["ip", ["netns", "exec", netns, "nft", ...args]] : ["nft", args];
    const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), NFT_TIMEOUT_MS);
    const take = (into: Buffer[]) => (c: Buffer) => {
      bytes += c.length;
      if (bytes <= NFT_OUTPUT_BYTES) into.push(c);
      else child.kill("SIGKILL");
    };
    child.stdout.on("data", take(out));
    child.stderr.on("data", take(err));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new NftError(`nft: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new NftError(`nft ${args.join(" ")} failed (${code ?? "killed"}): ${Buffer.concat(err).toString("utf8").trim().slice(0, 2000)}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(script ?? "");
  });
}

/** whether a network interface exists in this process's namespace or the named one */
function interfaceExists(name: string, netns?: string): Promise<boolean> {
  if (!netns) return Promise.resolve(existsSync(`/sys/class/net/${name}`));
  return new Promise((resolve) => {
    const child = spawn("ip", ["-n", netns, "link", "show", "dev", name], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

/** The IPv4 address Docker gave a bridge (its containers' gateway), from `ip -j -4 addr`; null when it has none. */
function bridgeGateway(bridge: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("ip", ["-j", "-4", "addr", "show", "dev", bridge], { stdio: ["ignore", "pipe", "ignore"] });
    const out: Buffer[] = [];
    let bytes = 0;
    child.stdout.on("data", (c: Buffer) => {
      bytes += c.length;
      if (bytes <= 64 * 1024) out.push(c);
    });
    child.on("error", () => resolve(null));
    child.on("close", () => {
      try {
        const links = JSON.parse(Buffer.concat(out).toString("utf8")) as { addr_info?: { family?: string; local?: string }[] }[];
        const local = links[0]?.addr_info?.find((a) => a.family === "inet")?.local;
        resolve(typeof local === "string" && parseAddress(local) ? local : null);
      } catch {
        resolve(null);
      }
    });
  });
}

/** A run's rules in place: its bridge, its blocked attempts, and their removal. */
export interface ScopeEnforcement {
  key: string;
  bridge: string;
  /** the service endpoints that could not be allowed (a name that did not resolve) */
  unresolved: string[];
  /** the run's DNS responder's address (its bridge's gateway): the containers' only resolver; absent when it could not start */
  resolver?: string;
  /** why the run has no DNS responder (its containers then resolve no name outside the run) */
  resolverError?: string;
  blocked(): Promise<BlockedAttempt[]>;
  /** the names its responder refused, most queried first, capped */
  blockedNames(): { names: BlockedName[]; dropped: number };
  /** removes the run's rules; idempotent */
  tearDown(): Promise<void>;
}

export class NftScopeEnforcer {
  private base: Promise<void> | null = null;
  /** the DNS responders of the runs this process set up, by key (closed with their rules, also when reaped) */
  private readonly responders = new Map<string, DnsResponder>();

  /**
   * `netns`: the named network namespace the engine's bridges are in, when it is not this
   * process's (an engine in a namespace of its own on this machine); default: this process's.
   */
  /**
   * `upstream`: how a run's DNS responder resolves in-scope names (default: the machine's
   * resolver; tests map names to their namespace targets). A run's responder listens on its
   * bridge's gateway, so only when the bridges are in this process's namespace (no `netns`).
   */
  constructor(private readonly opts: { netns?: string; upstream?: Upstream } = {}) {}

  private nft(args: string[], script?: string): Promise<string> {
    return nft(args, script, this.opts.netns);
  }

  private exists(name: string): Promise<boolean> {
    return interfaceExists(name, this.opts.netns);
  }

  /** the base table and chains, once per process (idempotent in nft too) */
  private ensureBase(): Promise<void> {
    this.base ??= this.nft(["-f", "-"], nftBaseScript()).then(
      () => undefined,
      (e: unknown) => {
        this.base = null;
        throw e;
      },
    );
    return this.base;
  }

  /**
   * Whether this process can enforce on `engine`: root, nft working, and a bridge the engine
   * creates visible here (an engine in another network namespace, another machine's, is not).
   */
  async probe(engine: ContainerEngine, instance: string): Promise<EnforceCapability> {
    const no = (reason: string): EnforceCapability => ({ ipv4: false, ipv6: false, reason });
    if (process.getuid?.() !== 0) return no("the worker does not run as root");
    try {
      await this.ensureBase();
    } catch (e) {
      return no(`nftables is not usable: ${(e as Error).message}`);
    }
    const key = scopeKey(`probe-${instance}`);
    const name = `levhub-scope-probe-${key}`;
    let id: string | null = null;
    try {
      id = await engine.createNetwork(name, createLabels(instance, `probe-${key}`, "network"), { bridgeName: bridgeName(key) });
      if (!(await this.exists(bridgeName(key)))) return no("the engine's bridges are not in this worker's network namespace (another machine, or an engine in its own namespace)");
    } catch (e) {
      return no(`the engine could not create a named bridge: ${(e as Error).message}`);
    } finally {
      if (id) await engine.removeNetwork(id).catch(() => undefined);
    }
    const ipv6 = readFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "utf8").trim() === "0";
    return { ipv4: true, ipv6 };
  }

  /**
   * The run's rules, before any container joins its bridge (which must exist). Service endpoints
   * named by host name are resolved here, with the machine's resolver, and allowed by address.
   */
  async setUp(runId: string, scope: CompiledScope): Promise<ScopeEnforcement> {
    const key = scopeKey(runId);
    const bridge = bridgeName(key);
    if (!(await this.exists(bridge))) throw new NftError(`the run's bridge ${bridge} is not visible to this worker: its scope cannot be enforced here`);
    await this.ensureBase();
    const services: AllowedEndpoint[] = [];
    const unresolved: string[] = [];
    for (const s of scope.services) {
      const host = s.host.replace(/^\[|\]$/g, "");
      if (parseAddress(host)) {
        services.push({ address: host, port: s.port });
        continue;
      }
      const found = await lookup(host, { all: true }).catch(() => []);
      if (found.length === 0) unresolved.push(`${s.host}:${s.port}`);
      for (const a of found) services.push({ address: a.address, port: s.port });
    }
    const gateway = this.opts.netns ? null : await bridgeGateway(bridge);
    // a run's leftovers under the same key (a retried run on this worker) go first
    await this.tearDownKey(key);
    await this.nft(["-f", "-"], nftRunScript({ key, scope, services, ...(gateway ? { resolver: gateway } : {}) }));
    let responder: DnsResponder | null = null;
    let resolverError: string | undefined = this.opts.netns ? "the run's bridge is in another network namespace" : gateway ? undefined : "its bridge has no IPv4 gateway address";
    if (gateway) {
      responder = await DnsResponder.start({
        host: gateway,
        scope,
        upstream: this.opts.upstream ?? systemUpstream(),
        allow: (addresses, ports, seconds) => this.nft(["-f", "-"], nftAllowAnswerScript(key, addresses, ports, seconds)).then(() => undefined),
      }).catch((e: Error) => {
        resolverError = `its DNS responder could not listen on ${gateway}:53: ${e.message}`;
        return null;
      });
      if (responder) this.responders.set(key, responder);
    }
    let down: Promise<void> | null = null;
    return {
      key,
      bridge,
      unresolved,
      ...(responder && gateway ? { resolver: gateway } : {}),
      ...(resolverError ? { resolverError } : {}),
      blocked: () => this.blocked(key),
      blockedNames: () => responder?.blockedNames() ?? { names: [], dropped: 0 },
      tearDown: () => (down ??= this.tearDownKey(key)),
    };
  }

  async blocked(key: string): Promise<BlockedAttempt[]> {
    const out: BlockedAttempt[] = [];
    for (const fam of ["b4", "b6"]) {
      const text = await this.nft(["-j", "list", "set", "inet", NFT_TABLE, `r_${key}_${fam}`]).catch(() => null);
      if (text) out.push(...parseBlockedSet(JSON.parse(text)));
    }
    return out;
  }

  private async tearDownKey(key: string): Promise<void> {
    const responder = this.responders.get(key);
    this.responders.delete(key);
    await responder?.close();
    const present = runsInTable(await this.table()).get(key);
    if (!present) return;
    await this.nft(["-f", "-"], nftTeardownScript(key, present));
  }

  private async table(): Promise<unknown> {
    const text = await this.nft(["-j", "list", "table", "inet", NFT_TABLE]).catch(() => null);
    return text ? JSON.parse(text) : null;
  }

  /** Removes the rules of runs whose bridge no longer exists (a crashed worker's); returns their keys. */
  async reapLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    for (const [key, present] of runsInTable(await this.table())) {
      if (await this.exists(bridgeName(key))) continue;
      await this.responders.get(key)?.close();
      this.responders.delete(key);
      await this.nft(["-f", "-"], nftTeardownScript(key, present)).then(
        () => removed.push(key),
        () => undefined,
      );
    }
    return removed;
  }
}
