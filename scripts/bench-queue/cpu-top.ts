/**
 * The functions a V8 CPU profile (`node --cpu-prof`) spent most time in, by self time, and the
 * files (the project's own modules, or the package under node_modules) by self time: where the
 * hub's CPU goes. `node --import tsx scripts/bench-queue/cpu-top.ts <file.cpuprofile> [n]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** self time per node id, µs, from the samples and their time deltas */
function selfTimes(p: Profile): Map<number, number> {
  const out = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // a sample's time is the delta to the next one
    const dt = deltas[i + 1] ?? 0;
    out.set(samples[i], (out.get(samples[i]) ?? 0) + dt);
  }
  return out;
}

/** `node_modules/<pkg>` (scoped packages whole), the project's path, or the runtime's own */
function owner(url: string): string {
  if (!url) return "(runtime: GC, idle, native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return url;
  const m = /\/(app|lib|runner|scripts)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url;
}

const isIdle = (n: ProfileNode) => n.callFrame.functionName === "(idle)";
const projectFrame = (url: string) => url !== "" && !url.includes("node_modules/") && !url.startsWith("node:") && /\/(app|lib|runner)\//.test(url);

/**
 * Busy time only (idle left out): by package or module (self time), by function (self time), and
 * by the project's own function nearest on the stack (what in lib/, app/ or runner/ caused the
 * time, whichever library spent it).
 */
export function cpuTop(p: Profile, n: number): { busy: number; functions: [string, number][]; owners: [string, number][]; causes: [string, number][] } {
  const self = selfTimes(p);
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const byFn = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCause = new Map<string, number>();
  let busy = 0;
  const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);
  for (const node of p.nodes) {
    const t = self.get(node.id) ?? 0;
    if (!t || isIdle(node)) continue;
    busy += t;
    const { functionName, url, lineNumber } = node.callFrame;
    add(byFn, `${functionName || "(anonymous)"} ${owner(url)}${url ? `:${lineNumber + 1}` : ""}`, t);
    add(byOwner, owner(url), t);
    let at: ProfileNode | undefined = node;
    while (at && !projectFrame(at.callFrame.url)) at = byId.get(parent.get(at.id) ?? -1);
    add(byCause, at ? `${at.callFrame.functionName || "(anonymous)"} ${owner(at.callFrame.url)}` : "(no project frame: timers, sockets, GC)", t);
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { busy, functions: top(byFn), owners: top(byOwner), causes: top(byCause) };
}

if (process.argv[1]?.endsWith("cpu-top.ts")) {
  const file = process.argv[2];
  const n = Number(process.argv[3] ?? 20);
  const { busy, functions, owners, causes } = cpuTop(JSON.parse(readFileSync(file, "utf8")) as Profile, n);
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy (idle left out); shares of the busy time`);
  console.log("by package or module (self time):");
  for (const [k, t] of owners) console.log(`  ${pct(t)}  ${k}`);
  console.log("by the project's function nearest on the stack:");
  for (const [k, t] of causes) console.log(`  ${pct(t)}  ${k}`);
  console.log("by function (self time):");
  for (const [k, t] of functions) console.log(`  ${pct(t)}  ${k}`);
}
