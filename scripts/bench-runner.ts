/**
 * `npm run bench:runner`: the runner measured side by side with plain `docker run` of the same
 * image doing the same work, in one run, on this machine. Prints ratios; asserts nothing.
 *   1. per-task overhead: 30+ sequential tasks awaited by a workflow vs sequential `docker run`
 *   2. throughput: 100 tasks under Concurrent(limit=8) vs 100 `docker run`s, 8 at a time, in
 *      alternating rounds (BENCH_ROUNDS, default 3): the same 100 `docker run`s vary by ±15 %
 *      from one pass to the next on a 2-core machine, so one pass of each side measures mostly
 *      that; the median of the per-round ratios is what is compared with the target.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DockerodeEngine, MongoResultStore, mongoUri, Runner } from "../runner/src/index.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PKG = path.join(REPO, "runner/test/fixtures/levtest.bench");
const IMAGE = "levhub/python:bookworm";
const DOCKER = process.env.DOCKER_CLI ?? "/usr/bin/docker";
const SEQ = Number(process.env.BENCH_SEQ ?? 30);
const PAR = Number(process.env.BENCH_PAR ?? 100);
const LIMIT = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// the entry's work, as a plain script: same computation, JSON written to a file
const WORK = "import json; json.dump({'i': 1, 'squares': [k * k for k in range(100)]}, open('/tmp/doc.json', 'w'))";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function dockerRun(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(DOCKER, ["run", "--rm", "--label", "zone.lev.bench=1", IMAGE, "python3", "-c", WORK], { stdio: "ignore" });
    p.on("error", reject);
    p.on("exit", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`docker run exited ${code}`))));
  });
}

async function pool(n: number, limit: number, job: () => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) {
        next++;
        await job();
      }
    }),
  );
}

async function main() {
  const store = await MongoResultStore.connect(mongoUri(`levbench_${randomBytes(3).toString("hex")}`));
  const runner = new Runner({ engine: new DockerodeEngine(), store, runtimeDir: process.env.LEV_RUNTIME_DIR });
  let job = 0;
  try {
    // warm-up: page cache, image layers, python bytecode of the runtime
    await dockerRun();
    await runner.start({ packageDir: PKG, function: "seq", args: { n: 2 }, job: ++job, owner: "bench" }).result;

    console.log(`1. per-task overhead, ${SEQ} sequential tasks (median of each side)`);
    const raw: number[] = [];
    for (let i = 0; i < SEQ; i++) raw.push(await dockerRun());
    const seq = await runner.start({ packageDir: PKG, function: "seq", args: { n: SEQ }, job: ++job, owner: "bench" }).result;
    if (seq.status !== "succeeded") throw new Error(`seq run ${seq.status}: ${seq.error?.message}`);
    const ours = seq.logs.map((l) => /^task-ms ([\d.]+)/.exec(l.line)).filter((m) => m).map((m) => Number(m![1]));
    const rawMed = median(raw);
    const oursMed = median(ours);
    console.log(`   docker run            median ${rawMed.toFixed(0)} ms`);
    console.log(`   levrt await (runner)  median ${oursMed.toFixed(0)} ms (start → stored document → answer)`);
    console.log(`   overhead per task     ${(oursMed - rawMed).toFixed(0)} ms   (target ≤ 50 ms)`);
    console.log(`   ratio runner/raw      ${(oursMed / rawMed).toFixed(2)}×`);

    console.log(`2. throughput, ${PAR} tasks, ${LIMIT} at a time, ${ROUNDS} alternating rounds`);
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let t0 = performance.now();
      await pool(PAR, LIMIT, dockerRun);
      const rawMs = performance.now() - t0;
      t0 = performance.now();
      const par = await runner.start({ packageDir: PKG, function: "par", args: { n: PAR, limit: LIMIT }, job: ++job, owner: "bench" }).result;
      const oursMs = performance.now() - t0;
      if (par.status !== "succeeded") throw new Error(`par run ${par.status}: ${par.error?.message}`);
      const rawTput = PAR / (rawMs / 1000);
      const oursTput = PAR / (oursMs / 1000);
      ratios.push(oursTput / rawTput);
      console.log(
        `   round ${round}: docker run ×${LIMIT} ${rawTput.toFixed(2)} tasks/s, Concurrent(limit=${LIMIT}) ${oursTput.toFixed(2)} tasks/s ` +
          `(incl. the workflow container), ratio ${(oursTput / rawTput).toFixed(2)}×`,
      );
    }
    console.log(`   throughput ratio      ${median(ratios).toFixed(2)}× median of rounds   (target ≥ 0.90×)`);
  } finally {
    await runner.shutdown();
    await store.database.dropDatabase();
    await store.close();
  }
}

await main();
