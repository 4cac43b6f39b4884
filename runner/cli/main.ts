import path from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { pack } from "tar-stream";
import { readdir, readFile, stat } from "node:fs/promises";
import { AGENT_USAGE, AgentConfigError, agentConfig, runAgent } from "./agent.ts";
import { debugCommand, DEBUG_USAGE } from "./debug.ts";
import { addPackage, localDependencies } from "./deps.ts";
import { localFileArgs } from "./local-files.ts";
import { CliError, loadConfig, login, run as hubRun, runs, scaffold, upload, type RunView } from "./hub.ts";
import { paramsWithFiles } from "./hub-files.ts";
import { localSecretArgs } from "./local-secrets.ts";
import { formatRun } from "./run-view.ts";
import { plural } from "../src/plural.ts";
import { compare, formatComparison, ignoreFlags, RESULT_FORMATS, streamResults, type ResultFormat } from "./results.ts";
import { rerunCommand, SCAN_USAGE, scanCommand, ScanUsageError } from "./scans.ts";
import { PROJECT_USAGE, projectCommand, ProjectUsageError } from "./projects.ts";
import { secretParams, SecretsUsageError } from "./secrets.ts";
import { FAV_USAGE, favCommand, FavUsageError } from "./favourites.ts";
import { assetsCommand, FINDINGS_USAGE, findingsCommand, FindingsUsageError, triageCommand } from "./findings.ts";
import { evidenceCommand, REPORT_USAGE, reportCommand, ReportUsageError } from "./report.ts";
import { NOTIFY_USAGE, notifyCommand, NotifyUsageError } from "./notify.ts";
import { IMPORT_USAGE, importCommand, ImportUsageError } from "./imports.ts";
import {
  DockerodeEngine,
  findFunction,
  introspect,
  listFunctions,
  localPolicy,
  locatePackage,
  MongoResultStore,
  mongoUri,
  ParamValidationError,
  Runner,
  validateArgs,
  type Manifest,
  type RunEvent,
  type RunRefs,
  type RunResult,
  type TerminalRunStatus,
} from "../src/index.ts";


const USAGE = `usage:
  lev exec <package-dir> <function> [--param k=v]… [--alias REF=IMAGE]… [--host-network] [--json] [--timeout SECONDS] [--quiet]
      Runs a function of a local package on the local Docker engine, without the hub.
      Cr(host=True) runs as root with NET_RAW on the run's own network, as a hub's default
      grant gives it; --host-network puts it on this machine's own network instead.
      --alias runs IMAGE wherever the package names REF (alpine:latest=levhub/python:bookworm).
      <function> is a workflow (server_port), a mode (nmap.alive), or a script (main.py).
      --param may repeat; a list parameter takes repeated values or a JSON list;
      a file parameter takes @path (--param wordlist=@words.txt): stored under the Levhub
      home and mounted read-only where the package's Cr(files=…) puts it; a secret
      parameter takes env:NAME (--param key=env:SHODAN_KEY): the value of that environment
      variable, given only to a tool whose Cr(env=…) forwards it, masked in the output.
  lev inspect <package-dir>
      Prints the package's manifest (read inside a sandbox container) as JSON, and each
      problem on stderr: errors (exit 1) refuse an upload, warnings do not.
  lev new <ns>.<name> [dir]
      Creates a package skeleton: a tool, a workflow and a main.py to test it locally.
  Packages in <package-dir>/.lev/deps/ (see lev add) are importable by exec and inspect.

  With a hub (LEV_URL and LEV_TOKEN, or \`lev login\`):
  lev login <hub-url> --token <token>      checks the token and saves both
  lev upload <package-dir|archive> [--public|--private]      (.lev/ is never packed)
      A new package is private until you make it public (--public, or on its page);
      an existing one keeps its visibility unless one of the two is given.
  lev add <ns>.<name>[@version] [--dir <package-dir>]
      Fetches a published package and what it depends on into .lev/deps/ and records
      lev.<ns>.<name>==<version> in pyproject.toml; lev exec then imports it, offline.
  lev run <ns>.<name>.<function> [--param k=v]… [--version V] [--project SLUG] [--device NAME] [--debug-pause] [--wait] [--json]
      --project puts the run in a project where you may run (default: your personal project);
      --device sends the run to one of your devices (lev agent), not the hub's workers.
      --debug-pause: each tool task waits before its entry until lev debug (or the run
      page's debug terminal) says continue; the wait counts toward its time limit.
      A file parameter takes @path (--param wordlist=@words.txt): the file is uploaded to the
      run's project first (its progress on stderr) and the run gets a reference to it.
  lev runs [<run>] [--project SLUG] [--json]
      Your runs, newest first (--project: one project's); with a run, what it ran, where, its tasks and its error.
      A run is named by its number (18 or #18, as pages show it) or its id, here and below.
  lev results <run> [--format json|ndjson|csv] [--coll <collection>] [--out <file>]
      Streams the run's documents (default ndjson) to stdout or a file.
  lev diff <run-a> <run-b> | lev diff <run-b> --previous   [--ignore <field>]… [--json]
      What changed from run A to run B (or since B's previous run with the same arguments):
      documents and items new, gone and changed, per collection, without the fields the
      package ignores. --ignore hosts[].os leaves that field out of every host instead (it
      replaces the package's list: name those again to keep them; --ignore '' compares all).
${DEBUG_USAGE}
${SCAN_USAGE}
${PROJECT_USAGE}
${FAV_USAGE}
${FINDINGS_USAGE}
${REPORT_USAGE}
${NOTIFY_USAGE}
${IMPORT_USAGE}
${AGENT_USAGE}

environment: MONGODB_URI (default: the FerretDB that setup starts, on a unix socket), DOCKER_HOST`;

class UsageError extends Error {}

const write = (s: string) => process.stderr.write(s + "\n");
/** where an upload's progress goes: stderr, redrawn in place on a terminal */
const stderrSink = { write: (s: string) => void process.stderr.write(s), tty: process.stderr.isTTY === true };
const print = (v: unknown) => process.stdout.write((typeof v === "string" ? v : JSON.stringify(v, null, 2)) + "\n");
const dim = (s: string) => (process.stderr.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "exec":
        return await exec(rest);
      case "inspect":
        return await inspect(rest);
      case "add":
        return await add(rest);
      case "new":
      case "login":
      case "upload":
      case "run":
      case "runs":
      case "results":
      case "diff":
        return await hubCommand(cmd, rest);
      case "scan":
        return await scanCommand(rest, parseParams, print, undefined, stderrSink);
      case "rerun":
        return await rerunCommand(rest, parseParams, print, undefined, stderrSink);
      case "project":
        return await projectCommand(rest, print);
      case "assets":
        return await assetsCommand(rest, print);
      case "findings":
        return await findingsCommand(rest, print);
      case "triage":
        return await triageCommand(rest, print);
      case "report":
        return await reportCommand(rest, write);
      case "evidence":
        return await evidenceCommand(rest, write);
      case "notify":
        return await notifyCommand(rest, print);
      case "import":
        return await importCommand(rest, print, undefined, stderrSink);
      case "fav":
        return await favCommand(rest, print);
      case "agent":
        return await runAgent(agentConfig(rest, process.env));
      case "debug":
        return await debugCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE + "\n");
        return cmd ? 0 : 2;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (err) {
    if (err instanceof CliError) {
      write(`lev: ${err.message}`);
      return 1;
    }
    if (err instanceof UsageError || err instanceof ScanUsageError || err instanceof ProjectUsageError || err instanceof FavUsageError || err instanceof FindingsUsageError || err instanceof ReportUsageError || err instanceof NotifyUsageError || err instanceof ImportUsageError || err instanceof SecretsUsageError || err instanceof AgentConfigError) {
      write(`lev: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ParamValidationError) {
      for (const [k, v] of Object.entries(err.errors)) write(`lev: --param ${k}: ${v}`);
      return 2;
    }
    write(`lev: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: "string", default: "." } } });
  if (positionals.length !== 1) throw new UsageError("add takes <ns>.<name>[@version]");
  const v = await addPackage(values.dir ?? ".", positionals[0]);
  const also = v.dependencies.map((d) => `lev.${d.namespace}.${d.name} ${d.version}`);
  process.stdout.write(`added lev.${v.namespace}.${v.name} ${v.version}${also.length ? ` (with ${also.join(", ")})` : ""} to .lev/deps; pyproject.toml requires lev.${v.namespace}.${v.name}==${v.version}\n`);
  return 0;
}

async function inspect(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError("inspect takes one package directory");
  const engine = new DockerodeEngine();
  await engine.ping();
  const manifest = await introspect(engine, positionals[0], { dependencies: await localDependencies(positionals[0]) });
  process.stdout.write(JSON.stringify(manifest, null, 2) + "\n");
  // the JSON is for tools; the problems, warnings included, are for the author reading the terminal
  for (const p of manifest.problems) write(`${p.severity}: ${p.where}: ${p.message} [${p.code}]`);
  return manifest.problems.some((p) => p.severity === "error") ? 1 : 0;
}

/** `--alias REF=IMAGE`, repeated. */
function parseAliases(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const eq = kv.indexOf("=");
    if (eq <= 0 || eq === kv.length - 1 || /\s/.test(kv)) throw new UsageError(`--alias '${kv}' is not REF=IMAGE`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function parseParams(values: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const kv of values) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param '${kv}' is not k=v`);
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

async function tarDirectory(dir: string): Promise<Readable> {
  const p = pack();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, entry.name);
      if (entry.name === "__pycache__" || entry.name === ".git" || entry.name === ".lev") continue;
      if (entry.isDirectory()) await walk(r);
      else if (entry.isFile()) {
        const full = path.join(dir, r);
        const data = await readFile(full);
        const st = await stat(full);
        p.entry({ name: r, mode: st.mode & 0o777, size: data.length }, data);
      }
    }
  };
  await walk("");
  p.finalize();
  return p as unknown as Readable;
}

async function exec(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      param: { type: "string", multiple: true, short: "p", default: [] },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      timeout: { type: "string" },
      alias: { type: "string", multiple: true, default: [] },
      "host-network": { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 2) throw new UsageError("exec takes a package directory and a function");
  const aliases = parseAliases(values.alias ?? []);
  const [dir, fnName] = positionals;
  const pkg = locatePackage(dir);
  const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError("--timeout must be a positive number of seconds");
  const raw = parseParams(values.param ?? []);

  const engine = new DockerodeEngine();
  await engine.ping();
  const log = (s: string) => {
    if (!values.quiet) write(s);
  };

  const dependencies = await localDependencies(pkg.dir);
  for (const d of dependencies) log(dim(`· with lev.${d.namespace}.${d.name} ${d.version} (.lev/deps)`));
  log(dim(`· reading ${pkg.module} (sandboxed introspection)`));
  const manifest: Manifest = await introspect(engine, pkg.dir, { dependencies });
  for (const p of manifest.problems) log(`${p.severity}: ${p.where}: ${p.message} [${p.code}]`);
  let callArgs: Record<string, unknown> = raw;
  let refs: RunRefs = {};
  if (!fnName.endsWith(".py")) {
    const fn = findFunction(manifest, fnName);
    if (!fn) {
      throw new UsageError(
        `${pkg.module} has no function '${fnName}'; it has: ${listFunctions(manifest).join(", ") || "none"}`,
      );
    }
    // file parameters: each @path is stored and passed as a reference, as a hub's run does;
    // secret parameters: env:NAME is read from the environment, never from the command line
    const files = await localFileArgs(fn.params, raw);
    const secrets = localSecretArgs(fn.params, files.args);
    refs = { ...files.refs, ...secrets.refs };
    callArgs = validateArgs(fn, secrets.args);
    for (const r of Object.values(files.refs)) log(dim(`· file ${r.name} (${r.size} bytes) stored as ${r.path}`));
    for (const r of Object.values(secrets.refs)) log(dim(`· secret ${r.name} (masked in what the run prints and stores)`));
  }

  // one person on their own machine: NET_RAW on the run's own network (or this machine's network,
  // their choice) and any local image; the package's own `.ns.name:tag` is the image just built
  // from its Dockerfile
  const tag = `levpkg/${pkg.namespace}.${pkg.name}`.toLowerCase() + ":local";
  const policy = localPolicy(undefined, values["host-network"] ? "host" : "bridge");
  if (Object.keys(aliases).length) policy.images.aliases = aliases;
  policy.images.refs[`.${pkg.namespace}.${pkg.name}`.toLowerCase()] = tag;
  if (pkg.hasDockerfile) {
    log(dim(`· building ${tag} from the package's Dockerfile`));
    await engine.buildImage(await tarDirectory(pkg.dir), tag, { "zone.lev.package": pkg.module }, (l) => log(dim(`  ${l}`)));
  }
  // a dependency's `.ns.name:tag` is its own image, built from its own Dockerfile
  for (const d of dependencies) {
    const depPkg = locatePackage(d.dir);
    if (!depPkg.hasDockerfile) continue;
    const depTag = `levpkg/${d.namespace}.${d.name}`.toLowerCase() + `:local`;
    log(dim(`· building ${depTag} from lev.${d.namespace}.${d.name}'s Dockerfile`));
    await engine.buildImage(await tarDirectory(d.dir), depTag, { "zone.lev.package": depPkg.module }, (l) => log(dim(`  ${l}`)));
    policy.images.refs[`.${d.namespace}.${d.name}`.toLowerCase()] = depTag;
  }

  const store = await MongoResultStore.connect(mongoUri());
  // no hub's traffic to protect here: this machine's network is the person's own to give
  const runner = new Runner({ engine, store, policy, hubMachine: false });
  try {
    await runner.reap();
    const job = await store.nextJob();
    const controller = new AbortController();
    const onSigint = () => {
      log("\n· cancelling (Ctrl-C again to force)");
      controller.abort();
      process.once("SIGINT", () => process.exit(130));
    };
    process.once("SIGINT", onSigint);
    const run = runner.start({
      packageDir: pkg.dir,
      function: fnName,
      args: callArgs,
      job,
      owner: process.env.USER || "local",
      timeoutMs,
      signal: controller.signal,
      dependencies,
      refs,
    });
    log(dim(`· run ${run.id} (job ${job}): ${fnName}(${JSON.stringify(callArgs)})`));
    const off = run.on((ev) => log(describe(ev)));
    const result = await run.result;
    off();
    process.off("SIGINT", onSigint);
    if (values.json) {
      const documents: Record<string, unknown[]> = {};
      for (const coll of result.collections) documents[coll] = await store.findRun(coll, job);
      process.stdout.write(JSON.stringify(summary(result, documents), null, 2) + "\n");
    } else {
      log(`${result.status === "succeeded" ? "✔" : "✘"} ${result.status}` + (result.error ? `: ${result.error.message}` : ""));
      for (const coll of result.collections) log(`  stored in ${coll}`);
    }
    return EXIT_CODES[result.status];
  } finally {
    await store.close();
  }
}

/** `lev exec`'s exit code per final status (130 and 124 as a shell reports an interrupt and `timeout`). */
const EXIT_CODES: Record<TerminalRunStatus, number> = { succeeded: 0, failed: 1, cancelled: 130, timed_out: 124 };

function describe(ev: RunEvent): string {
  switch (ev.type) {
    case "scope":
      return dim(
        `· scope ${ev.scope.enforcement}${ev.scope.reason ? ` (${ev.scope.reason})` : ""}` +
          ev.scope.blocked.map((b) => `\n  blocked ${b.address}${b.port ? `:${b.port}` : ""}/${b.protocol}, out of scope — ${b.packets} packets`).join(""),
      );
    case "run.started":
      return dim(`· started`);
    case "task.started":
      return dim(`· task ${ev.task.number} started: ${ev.task.image}${ev.task.resolvedImage ? ` (${ev.task.resolvedImage})` : ""} → ${ev.task.coll}`);
    case "task.finished":
      return dim(
        `· task ${ev.task.number} ${ev.task.status}` +
          (ev.task.exitCode !== null ? ` (exit ${ev.task.exitCode})` : "") +
          (ev.task.error ? `: ${ev.task.error.message}` : ""),
      );
    case "log": {
      const line = `${ev.log.task === 0 ? "[workflow]" : `[task ${ev.log.task}]`}${ev.log.stream === "system" ? " ·" : ""} ${ev.log.line}`;
      // the runner's own machinery (the planner): shown here, where the author tests locally, but faint
      return ev.log.internal ? dim(line) : line;
    }
    case "progress":
      return dim(`· progress ${ev.finished} of ${plural(ev.started, "task")} finished`);
    case "document":
      return dim(`· stored ${ev.coll} task ${ev.task}`);
    case "run.finished":
      return dim(`· finished: ${ev.result.status}`);
  }
}

function summary(result: RunResult, documents: Record<string, unknown[]>) {
  return {
    runId: result.runId,
    job: result.job,
    function: result.function,
    status: result.status,
    error: result.error,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    tasks: result.tasks,
    collections: result.collections,
    documents,
    logs: result.logs.map((l) => ({ task: l.task, stream: l.stream, line: l.line })),
    logsDropped: result.logsDropped,
  };
}

async function hubCommand(cmd: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      token: { type: "string" },
      param: { type: "string", multiple: true, short: "p", default: [] },
      version: { type: "string" },
      device: { type: "string" },
      "debug-pause": { type: "boolean", default: false },
      project: { type: "string" },
      wait: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      private: { type: "boolean", default: false },
      public: { type: "boolean", default: false },
      format: { type: "string", default: "ndjson" },
      coll: { type: "string" },
      out: { type: "string", short: "o" },
      previous: { type: "boolean", default: false },
      ignore: { type: "string", multiple: true },
    },
  });
  const out = (v: unknown) => process.stdout.write((typeof v === "string" ? v : JSON.stringify(v, null, 2)) + "\n");
  switch (cmd) {
    case "new": {
      if (positionals.length < 1 || positionals.length > 2) throw new UsageError("new takes <ns>.<name> and an optional directory");
      const dir = await scaffold(positionals[0], positionals[1]);
      out(`created ${dir}\ntry it: npx lev exec ${path.relative(process.cwd(), dir) || "."} check_all --param targets=127.0.0.1`);
      return 0;
    }
    case "login": {
      if (positionals.length !== 1 || !values.token) throw new UsageError("login takes <hub-url> --token <token>");
      out(await login(positionals[0], values.token));
      return 0;
    }
    case "upload": {
      if (positionals.length !== 1) throw new UsageError("upload takes one package directory or archive");
      if (values.public && values.private) throw new UsageError("upload takes --public or --private, not both");
      const visibility = values.public ? false : values.private ? true : undefined;
      const r = (await upload(positionals[0], { private: visibility })) as { namespace: string; name: string; version: string; imageRef: string | null; private: boolean };
      out(values.json ? r : `${uploadSummary(r)}${r.imageRef ? ` (image ${r.imageRef})` : ""}`);
      return 0;
    }
    case "run": {
      if (positionals.length !== 1) throw new UsageError("run takes <ns>.<name>.<function>");
      // a file parameter's @path is uploaded first; the run gets a reference to it.
      // `--param key=secret:NAME`: the secret's reference (the run's project's, else the caller's own)
      const cfg = await loadConfig();
      const withFiles = await paramsWithFiles(cfg, parseParams(values.param ?? []), { target: positionals[0], version: values.version, project: values.project }, stderrSink);
      const args = await secretParams(cfg, withFiles, values.project);
      const r = await hubRun(positionals[0], args, {
        wait: values.wait,
        version: values.version,
        device: values.device,
        debugPause: values["debug-pause"],
        project: values.project,
        onLog: values.json ? undefined : (line) => write(line),
      });
      if (values.json) out(r);
      else out(`run #${r.number} ${r.status}${r.error ? `: ${r.error.message}` : ""}  (${r.id}; lev runs ${r.number})`);
      return !values.wait || r.status === "succeeded" ? 0 : 1;
    }
    case "runs": {
      if (positionals.length > 1) throw new UsageError("runs takes at most one run (its number, 18 or #18, or its id)");
      const r = await runs(positionals[0], values.project);
      if (values.json) out(r);
      else if (positionals[0]) out(formatRun(r as RunView));
      else {
        const list = (r as { items: (Pick<RunView, "id" | "number" | "status" | "package" | "function"> & { createdAt: string })[] }).items;
        for (const x of list) out(`#${x.number}  ${x.status.padEnd(9)}  ${x.package}.${x.function}  ${x.createdAt}  ${x.id}`);
        if (!list.length) out("no runs");
      }
      return 0;
    }
    case "results": {
      if (positionals.length !== 1) throw new UsageError("results takes one run (its number, 18 or #18, or its id)");
      const format = values.format as ResultFormat;
      if (!RESULT_FORMATS.includes(format)) throw new UsageError(`--format is one of ${RESULT_FORMATS.join(", ")}`);
      await streamResults(positionals[0], { format, coll: values.coll, out: values.out });
      if (values.out) write(`wrote ${values.out}`);
      return 0;
    }
    case "diff": {
      if (values.previous ? positionals.length !== 1 : positionals.length !== 2) throw new UsageError("diff takes <run-a> <run-b>, or <run-b> --previous");
      const ignore = ignoreFlags(values.ignore);
      const r = values.previous ? await compare(null, positionals[0], ignore) : await compare(positionals[0], positionals[1], ignore);
      out(values.json ? r : formatComparison(r));
      return 0;
    }
  }
  throw new UsageError(`unknown command '${cmd}'`);
}

/** What `lev upload` says: where the version went, and who can see it. */
export function uploadSummary(r: { namespace: string; name: string; version: string; private: boolean }): string {
  return r.private
    ? `published ${r.namespace}.${r.name} ${r.version} privately; make it public with --public or on its page`
    : `published ${r.namespace}.${r.name} ${r.version} publicly`;
}

export { parseAliases, parseParams };
