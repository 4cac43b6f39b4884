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

export function cpuTop(p: Profile, n: number): { total: number; functions: [string, number][]; owners: [string, number][] } {
  const self = selfTimes(p);
  const byFn = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const node of p.nodes) {
    const t = self.get(node.id) ?? 0;
    if (!t) continue;
    total += t;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || "(anonymous)"} ${owner(url)}${url ? `:${lineNumber + 1}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    const o = functionName === "(idle)" ? "(idle)" : owner(url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + t);
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, functions: top(byFn), owners: top(byOwner) };
}

if (process.argv[1]?.endsWith("cpu-top.ts")) {
  const file = process.argv[2];
  const n = Number(process.argv[3] ?? 20);
  const { total, functions, owners } = cpuTop(JSON.parse(readFileSync(file, "utf8")) as Profile, n);
  const pct = (t: number) => `${((t / total) * 100).toFixed(1).padStart(5)} %`;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log("by module or package (self time):");
  for (const [k, t] of owners) console.log(`  ${pct(t)}  ${k}`);
  console.log("by function (self time):");
  for (const [k, t] of functions) console.log(`  ${pct(t)}  ${k}`);
}
