/**
 * The planner: builds a Cr by calling a package's mode, so a claim "mode M of package P built this
 * Cr" is never taken on trust (package-grant.ts): the task runs what the planner built. It runs
 * `python3 -m levrt._plan` in a container with no network, no capability, user 65534, a read-only
 * root, and only the runtime and P's code: for a dependency, the closure alone (`lev/` folders
 * only, never the run's package, whose workflow makes the claim); for a mode of the run's own
 * package, that package as its workflow sees it.
 */
import { dependencyBinds, isolatedEnv, packageKey, pythonPath } from "../package/dependencies.ts";
import type { ContainerEngine, ContainerSpec } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import { crSpecSchema, type CrSpec } from "../channel/spec.ts";
import type { PackageDependency } from "../types.ts";
import { helperSandbox } from "./container-config.ts";

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
const PLAN_TIMEOUT_MS = 30_000;

export interface PlannerFacts {
  engine: ContainerEngine;
  runId: string;
  instance: string;
  owner: string;
  runtimeDir: string;
  image: string;
  deps: readonly PackageDependency[];
  /** the run's own package: `ns.name` (lower-case), its module and its host directory */
  own: { key: string; module: string; dir: string };
  log: (line: string) => void;
}

export class Planner {
  /** per run, by (package, entry) JSON: the same builder and arguments rebuild the same Cr */
  private readonly cache = new Map<string, Promise<CrSpec | null>>();
  private next = 0;
  private readonly running = new Set<string>();
  private stopped = false;

  constructor(private readonly f: PlannerFacts) {}

  /** The Cr that package `pkg`'s code builds from this entry's builder, or null when it cannot say. */
  rebuild(pkg: string, entry: NonNullable<CrSpec["entry"]>): Promise<CrSpec | null> {
    const key = JSON.stringify([pkg, entry]);
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.run(pkg, entry).catch((err: unknown) => {
        this.f.log(`the planner could not rebuild the Cr: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
      this.cache.set(key, hit);
    }
    return hit;
  }

  private moduleOf(pkg: string): string {
    const d = this.f.deps.find((x) => packageKey(x) === pkg);
    return d ? `lev.${d.namespace}.${d.name}` : `lev.${pkg}`;
  }

  /** What the planner sees: P's code alone (a dependency), or the run's package as its workflow does. */
  private code(pkg: string): Pick<ContainerSpec, "env" | "binds"> {
    const rt = `${this.f.runtimeDir}:/lev/rt:ro`;
    if (pkg === this.f.own.key) {
      return {
        env: [`PYTHONPATH=${pythonPath(this.f.deps)}`, `LEV_PACKAGE=${this.f.own.module}`],
        binds: [rt, `${this.f.own.dir}:/lev/pkg:ro`, ...dependencyBinds(this.f.deps)],
      };
    }
    // no /lev/pkg: the run's package is the one whose claim is checked. P is the running package
    // there, so the Crs its code builds say `package: null`
    return { env: [...isolatedEnv(this.f.deps, pkg), `LEV_PACKAGE=${this.moduleOf(pkg)}`], binds: [rt, ...dependencyBinds(this.f.deps)] };
  }

  private async run(pkg: string, entry: NonNullable<CrSpec["entry"]>): Promise<CrSpec | null> {
    const { engine } = this.f;
    const code = this.code(pkg);
    const spec: ContainerSpec = {
      name: `lev-${this.f.runId}-plan${++this.next}`,
      image: this.f.image,
      labels: createLabels(this.f.instance, this.f.runId, "planner", undefined, this.f.owner),
      entrypoint: ["python3", "-m", "levrt._plan"],
      cmd: [],
      env: [...code.env, "PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp", `LEV_PLAN=${JSON.stringify(entry)}`],
      workingDir: "/tmp",
      binds: code.binds,
      ...helperSandbox(),
    };
    if (this.stopped) return null;
    const id = await engine.create(spec);
    this.running.add(id);
    const out: Buffer[] = [];
    let bytes = 0;
    let err = "";
    let tooLarge = false;
    try {
      await engine.attach(id, (stream, chunk) => {
        if (stream === "stderr") {
          err = (err + chunk.toString("utf8")).slice(-4096);
          return;
        }
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT_BYTES) {
          tooLarge = true;
          void engine.kill(id, "SIGKILL");
        } else out.push(chunk);
      });
      await engine.start(id);
      const timer = setTimeout(() => void engine.kill(id, "SIGKILL"), PLAN_TIMEOUT_MS);
      const code = await engine.wait(id).finally(() => clearTimeout(timer));
      await new Promise((r) => setImmediate(r));
      if (code !== 0 || tooLarge) {
        this.f.log(`the planner exited with code ${code}${tooLarge ? " (too much output)" : ""}: ${err.trim().split("\n").at(-1) ?? ""}`);
        return null;
      }
      const parsed = crSpecSchema.safeParse(JSON.parse(Buffer.concat(out).toString("utf8")));
      return parsed.success ? parsed.data : null;
    } finally {
      this.running.delete(id);
      await engine.remove(id);
    }
  }

  /** The run is ending: no new planner, the running ones killed (each removes itself). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running].map((id) => this.f.engine.kill(id, "SIGKILL")));
  }
}
