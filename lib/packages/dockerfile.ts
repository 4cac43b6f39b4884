/**
 * What a package's Dockerfile may build, and the Dockerfile the hub builds in its place. Pure.
 *
 * The upload is parsed by the builder's own rules (dockerfile-syntax.ts). Every image it names
 * (`FROM`, `COPY --from`) must be an admin base image, an earlier stage, or the image of a package
 * the uploader may see, checked and rewritten by image id (anything else reads "not available",
 * whether private to someone else or missing); nothing may make the engine fetch anything; RUN
 * flags, heredocs and parser directives other than `escape` are refused. The checked instructions
 * are then written one per line (no comments, no continuations) and read back to verify they are
 * the same instructions: that text, never the uploaded one, is what the engine builds.
 */
import {
  firstDifference,
  parseDockerfile,
  RE_WHITESPACE,
  serialiseDockerfile,
  type EscapeToken,
  type Instruction,
  type ParsedDockerfile,
} from "./dockerfile-syntax.ts";
import { jsonStringArray, LexError, parseWords, processWord } from "./dockerfile-words.ts";
import type { BuildImageResolver } from "./build-images.ts";

/** An image a `FROM` builds on: its ONBUILD triggers run in this build (see checkTriggers). */
export interface BaseImageUse {
  line: number;
  /** as the Dockerfile wrote it */
  ref: string;
  id: string;
}

export interface CheckedDockerfile {
  /** the Dockerfile to build (empty when there are problems) */
  text: string;
  /** every problem, one sentence each naming its line; the build must not start when there is any */
  problems: string[];
  baseImages: BaseImageUse[];
}

const KNOWN = new Set(["add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"]);
/** the flags the classic builder accepts, per instruction */
const FLAGS: Record<string, readonly string[]> = {
  from: ["platform"],
  copy: ["from", "chown"],
  add: ["chown"],
  healthcheck: ["interval", "timeout", "start-period", "retries"],
};
/** flags the classic builder parses and then refuses: they need BuildKit */
const BUILDKIT_FLAGS: Record<string, readonly string[]> = { copy: ["chmod"], add: ["chmod"] };
const NOT_A_TRIGGER = new Set(["onbuild", "from", "maintainer"]);

/** The walk's state: what the instructions before the current one defined. */
interface Walk {
  escape: EscapeToken;
  resolve: BuildImageResolver;
  /** an ONBUILD trigger: it runs in a later build, whose images this check never sees */
  trigger: boolean;
  metaArgs: Map<string, string>;
  /** the names of finished stages, by index ("" for an unnamed one) */
  stages: string[];
  /** the current stage's name; null before the first FROM */
  current: string | null;
  baseImages: BaseImageUse[];
  problems: string[];
}

export function checkDockerfile(source: Uint8Array | string, resolve: BuildImageResolver): CheckedDockerfile {
  const parsed = parseDockerfile(source);
  if (!parsed.ok) return { text: "", problems: [parsed.problem], baseImages: [] };
  const { escape } = parsed.dockerfile;
  const walk: Walk = { escape, resolve, trigger: false, metaArgs: new Map(), stages: [], current: null, baseImages: [], problems: directiveProblems(parsed.dockerfile) };
  const checked: Instruction[] = [];
  for (const ins of parsed.dockerfile.instructions) {
    const out = checkInstruction(ins, walk);
    if (out) checked.push(out);
  }
  if (walk.current === null && !walk.problems.length) walk.problems.push("the Dockerfile has no FROM line");
  if (walk.problems.length) return { text: "", problems: boundedProblems(walk.problems), baseImages: [] };

  const text = serialiseDockerfile({ escape, instructions: checked });
  const again = parseDockerfile(text);
  const at = again.ok && again.dockerfile.escape === escape ? firstDifference(checked, again.dockerfile.instructions) : 0;
  if (at !== -1) {
    const line = checked[Math.min(at, checked.length - 1)].line;
    return { text: "", problems: [`line ${line}: this instruction does not read back the same once written on one line (does it end with the escape character?)`], baseImages: [] };
  }
  return { text, problems: [], baseImages: walk.baseImages };
}

/**
 * The ONBUILD triggers of an image a `FROM` builds on run in that build, unseen by the upload's
 * check: each must pass the rules an upload's own ONBUILD passes.
 */
export function checkTriggers(triggers: readonly string[]): string[] {
  return boundedProblems(triggers.flatMap((t) => triggerProblems(t).map((p) => `ONBUILD ${clip(t)}: ${p}`)));
}

const MAX_PROBLEMS = 20;
const MAX_PROBLEM_CHARS = 300;
const MAX_ECHO = 120;

/** The upload's text as a problem quotes it: cut, so the reason after it stays readable. */
const clip = (text: string) => (text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text);

/** Problems echo the upload's text: each is cut, and past the first few only their number is said. */
export function boundedProblems(problems: readonly string[]): string[] {
  const cut = problems.slice(0, MAX_PROBLEMS).map((p) => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS)}…` : p));
  return problems.length > MAX_PROBLEMS ? [...cut, `… and ${problems.length - MAX_PROBLEMS} more problems`] : cut;
}

function directiveProblems(dockerfile: ParsedDockerfile): string[] {
  const problems: string[] = [];
  for (const d of dockerfile.directives) {
    if (d.key === "escape" || d.key === "check") continue;
    problems.push(
      d.key === "syntax"
        ? `line ${d.line}: the syntax parser directive is not supported (it makes BuildKit fetch a frontend image; this hub builds with the engine's own builder)`
        : `line ${d.line}: unknown parser directive '${clip(d.key)}' (only escape is supported)`,
    );
  }
  for (const d of dockerfile.ignoredDirectives) {
    problems.push(`line ${d.line}: '# ${d.key}=${clip(d.value)}' is read as a plain comment here: parser directives must come first, before any instruction, comment or blank line`);
  }
  return problems;
}

/** The flags of an instruction by name, or null after recording why they are refused. */
function readFlags(ins: Instruction, name: string, walk: Walk): Map<string, string> | null {
  const flags = new Map<string, string>();
  for (const word of ins.flags) {
    const eq = word.indexOf("=");
    const flag = eq < 0 ? word.slice(2) : word.slice(2, eq);
    let problem: string | null = null;
    if (ins.keyword === "run" || BUILDKIT_FLAGS[ins.keyword]?.includes(flag)) problem = `--${clip(flag)} needs BuildKit, and this hub builds with the engine's own builder`;
    else if (!FLAGS[ins.keyword]?.includes(flag)) problem = `unknown flag --${clip(flag)}`;
    else if (eq < 0) problem = `--${flag} needs a value (--${flag}=…)`;
    else if (flags.has(flag)) problem = `--${flag} is given twice`;
    if (problem) {
      walk.problems.push(`line ${ins.line}: ${name}: ${problem}`);
      return null;
    }
    flags.set(flag, word.slice(eq + 1));
  }
  return flags;
}

/** The checked instruction as it will be built, or null when refused (the walk records why). */
function checkInstruction(ins: Instruction, walk: Walk): Instruction | null {
  const name = /^[a-z]+$/.test(ins.keyword) ? ins.keyword.toUpperCase() : ins.keyword;
  const refuse = (problem: string) => {
    walk.problems.push(`line ${ins.line}: ${problem}`);
    return null;
  };
  if (!KNOWN.has(ins.keyword)) return refuse(`unknown instruction '${clip(name)}'`);
  if (ins.nonAsciiFlags) return refuse(`${name}: flags must be ASCII (the builder reads them byte by byte)`);
  if (walk.trigger && NOT_A_TRIGGER.has(ins.keyword)) return refuse(`${name} is not allowed as an ONBUILD trigger`);
  const flags = readFlags(ins, name, walk);
  if (!flags) return null;
  if (walk.current === null && !walk.trigger && ins.keyword !== "arg" && ins.keyword !== "from") return refuse(`${name} comes before the first FROM`);
  if (["run", "copy", "add"].includes(ins.keyword) && hasHeredoc(ins.args)) {
    return refuse(`${name}: heredocs (<<EOF) need BuildKit, and this hub builds with the engine's own builder`);
  }
  try {
    switch (ins.keyword) {
      case "arg":
        if (walk.current === null && !walk.trigger) defineMetaArgs(ins.args, walk);
        return ins;
      case "from":
        return checkFrom(ins, flags, walk, refuse);
      case "copy":
        return checkCopyFrom(ins, flags.get("from"), walk, refuse);
      case "add": {
        const problem = addSourcesProblem(ins.args, walk.escape);
        return problem ? refuse(`ADD ${clip(ins.args)}: ${problem}`) : ins;
      }
      case "onbuild": {
        if (!ins.args) return refuse("ONBUILD needs an instruction");
        const problems = triggerProblems(ins.args);
        return problems.length ? refuse(`ONBUILD ${problems[0]}`) : ins;
      }
      default:
        return ins;
    }
  } catch (err) {
    if (err instanceof LexError) return refuse(`${name} ${clip(ins.args)}: ${err.message}`);
    throw err;
  }
}

/** What Docker does with the global ARGs: each value expanded with the ARGs before its line. */
function defineMetaArgs(args: string, walk: Walk): void {
  const env = new Map(walk.metaArgs);
  const defined = parseWords(args, walk.escape).map((word) => {
    const eq = word.indexOf("=");
    if (eq === 0) throw new LexError("ARG names can not be blank");
    const key = processWord(eq < 0 ? word : word.slice(0, eq), env, walk.escape);
    return { key, value: eq < 0 ? null : processWord(word.slice(eq + 1), env, walk.escape) };
  });
  // an ARG without a value takes back a default given before: build arguments are never passed
  for (const { key, value } of defined) {
    if (value === null) walk.metaArgs.delete(key);
    else walk.metaArgs.set(key, value);
  }
}

function checkFrom(ins: Instruction, flags: Map<string, string>, walk: Walk, refuse: (p: string) => null): Instruction | null {
  const words = ins.args ? ins.args.split(RE_WHITESPACE) : [];
  const named = words.length === 3 && words[1].toLowerCase() === "as";
  const stage = named ? words[2].toLowerCase() : "";
  const used = stage !== "" && (walk.stages.includes(stage) || walk.current === stage);
  // the previous stage ends here, whatever becomes of this line
  if (walk.current !== null) walk.stages.push(walk.current);
  walk.current = used ? "" : stage;
  if (words.length !== 1 && !named) return refuse(`FROM ${clip(ins.args)}: expected FROM [--platform=…] <image> [AS <name>]`);
  if (named && !/^[a-z][a-z0-9_.-]*$/.test(stage)) return refuse(`FROM ${clip(ins.args)}: '${clip(words[2])}' is not a valid stage name`);
  if (used) return refuse(`FROM ${clip(ins.args)}: the stage name '${words[2]}' is used twice`);
  const image = processWord(words[0], walk.metaArgs, walk.escape);
  if (!image) return refuse(`FROM ${clip(words[0])}: the image name is empty (build arguments are not passed to uploads' builds)`);

  let target: string;
  if (walk.stages.includes(image.toLowerCase())) target = image.toLowerCase();
  else if (image === "scratch") target = image;
  else {
    const id = walk.resolve(image);
    if (id === null) return refuse(`FROM ${clip(words[0])}: image '${clip(image)}' is not available`);
    walk.baseImages.push({ line: ins.line, ref: image, id });
    target = id;
  }
  const platform = flags.has("platform") ? [`--platform=${flags.get("platform")}`] : [];
  return { ...ins, flags: platform, args: [target, ...(stage ? ["AS", stage] : [])].join(" ") };
}

/** `COPY --from`: an earlier stage becomes its index, an image its id; Docker expands nothing here. */
function checkCopyFrom(ins: Instruction, from: string | undefined, walk: Walk, refuse: (p: string) => null): Instruction | null {
  if (!from) return ins;
  if (walk.trigger) return refuse(`COPY --from=${clip(from)}: a trigger runs in someone else's later build, where --from would name images this check never saw`);
  let target: string | null;
  const named = walk.stages.indexOf(from.toLowerCase());
  if (named >= 0) target = String(named);
  else if (/^[+-]?\d+$/.test(from) && BigInt.asIntN(64, BigInt(from)) === BigInt(from)) {
    const index = BigInt(from);
    if (index === BigInt(walk.stages.length)) return refuse(`COPY --from=${clip(from)}: that is the current stage`);
    if (index < 0n || index > BigInt(walk.stages.length)) return refuse(`COPY --from=${clip(from)}: there is no stage ${clip(from)} before this one`);
    target = index.toString();
  } else {
    target = walk.resolve(from);
    if (target === null) return refuse(`COPY --from=${clip(from)}: image '${clip(from)}' is not available`);
  }
  return { ...ins, flags: ins.flags.map((f) => (f.startsWith("--from=") ? `--from=${target}` : f)) };
}

/**
 * ADD's sources: the engine downloads a URL itself, from the host's network, whatever the build
 * network, so none may be one. The engine expands variables, quotes and escapes after this check,
 * so sources must be written literally for the check to see what the engine will.
 */
function addSourcesProblem(args: string, escape: EscapeToken): string | null {
  const json = jsonStringArray(args);
  if (json === "unclear") return "the JSON form must be an array of plain strings";
  const words = Array.isArray(json) ? json : args ? args.split(RE_WHITESPACE) : [];
  for (const src of words.slice(0, -1)) {
    if (/[$'"]/.test(src) || src.includes(escape)) return "write its sources literally (no variables, quotes or escapes), or use COPY";
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || /^git@/i.test(src)) {
      return "downloads are not allowed (the engine would fetch them from the host); copy files from the package instead";
    }
  }
  return null;
}

/** A word that opens a heredoc in BuildKit (`<<EOF`, `<<-"EOF"`, `2<<EOF`), in the shell form. */
function hasHeredoc(args: string): boolean {
  if (Array.isArray(jsonStringArray(args))) return false;
  return args.split(/\s+/).some((w) => /^\d*<<-?[^<]/.test(w));
}

/** An ONBUILD trigger is parsed again, alone and with the default escape, when it runs. */
function triggerProblems(trigger: string): string[] {
  const parsed = parseDockerfile(trigger);
  if (!parsed.ok) return [parsed.problem];
  const [ins, ...more] = parsed.dockerfile.instructions;
  if (more.length || parsed.dockerfile.directives.length) return ["a trigger must be one instruction"];
  const walk: Walk = { escape: parsed.dockerfile.escape, resolve: () => null, trigger: true, metaArgs: new Map(), stages: [], current: null, baseImages: [], problems: [] };
  checkInstruction(ins, walk);
  return walk.problems.map((p) => p.replace(/^line \d+: /, ""));
}
