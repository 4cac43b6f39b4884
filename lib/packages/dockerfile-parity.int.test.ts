/**
 * The hub's reading of a Dockerfile against the engine's own (real Docker, classic builder): for
 * a corpus of tricky but accepted Dockerfiles (a byte order mark, the backtick escape, CRLF,
 * tabs, comments and blank lines inside continuations, an escape at the end of the file, an
 * escaped escape at the end of a line, `--`, JSON forms, ONBUILD, stages…), the uploaded text and
 * the checked text the hub builds instead must give images with the same configuration and the
 * same history. A difference means the check read something other than what the engine runs.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import { DockerodeEngine } from "../../runner/src/engine/engine.ts";
import { buildImageResolver } from "./build-images.ts";
import { checkDockerfile } from "./dockerfile.ts";
import { trimSpaceGo, type EscapeToken } from "./dockerfile-syntax.ts";
import { LexError, processWord } from "./dockerfile-words.ts";

const engine = new DockerodeEngine();
const PY = "levhub/python:bookworm";
const run = randomBytes(4).toString("hex");
const tags: string[] = [];
after(async () => {
  for (const t of tags) await engine.docker.getImage(t).remove({ force: true }).catch(() => undefined);
});

interface Case {
  name: string;
  text: string;
  files?: Record<string, string>;
  /** the engine refuses this Dockerfile: then it must refuse the checked one the same way */
  refused?: boolean;
}

const cases: Case[] = [
  { name: "a byte order mark before the escape directive", text: '\uFEFF# escape=`\nFROM scratch\nLABEL a="x\\\\y" b=c`\n  d=e\n' },
  { name: "CRLF line ends", text: "FROM scratch\r\nLABEL a=1 \\\r\n  b=2\r\nLABEL c=3\r\n" },
  { name: "tabs between words", text: "FROM\tscratch\nLABEL\ta=1\tb=2\n\tENV\tX=1\n" },
  { name: "blank lines inside a continuation", text: "FROM scratch\nLABEL a=1 \\\n\n   \n  b=2\n" },
  { name: "comments inside a continuation", text: "FROM scratch\nLABEL a=1 \\\n# c\n   # d \\\n  b=2\n" },
  { name: "an escape at the end of the file", text: "FROM scratch\nLABEL a=1 \\" },
  { name: "an escaped escape at the end of a line", text: "FROM scratch\nLABEL a=x\\\\\nLABEL b=2\n" },
  { name: "spaces and tabs after the escape", text: "FROM scratch\nLABEL a=1 \\ \t\n b=2\n" },
  { name: "a form feed after the escape does not continue the line", text: "FROM scratch\nLABEL a=1 b=\\\fc=2\n" },
  { name: "a word without '=' after an escaped form feed (the engine refuses both)", text: "FROM scratch\nLABEL d=\\\f\tx\n", refused: true },
  { name: "a line of only the escape", text: "\\\nFROM scratch\nLABEL a=1\n" },
  { name: "the check directive", text: "# check=skip=all\nFROM scratch\nLABEL a=1\n" },
  { name: "a spaced, upper-case escape directive", text: "  #  ESCAPE  =  `  \nFROM scratch\nLABEL a=`\n b=2\n" },
  { name: "backslashes and escaped quotes under the backtick", text: '# escape=`\nFROM scratch\nENV P=C:\\path\\x Q="a`"b"\nLABEL w="C:\\x" `\n  v=1\n' },
  { name: "global ARGs, expanded in order, taken back by a bare ARG", text: "ARG A=sc\nARG B=${A}ratch\nFROM $B\nARG A\nLABEL a=$A\n" },
  { name: "a quoted ARG and a default", text: 'ARG X="scr"atch\nFROM ${X:-none}\nLABEL x=1\n' },
  { name: "lower-case instructions with leading spaces", text: "   from scratch\n   label A=1\n" },
  { name: "the flag terminator", text: "FROM scratch\nLABEL -- --a=1\nWORKDIR -- /w\n" },
  { name: "JSON forms, text after the array ignored", text: 'FROM scratch\nCMD ["a", "b"] trailing\nENTRYPOINT ["x"]\nSHELL ["/bin/sh", "-c"]\n' },
  {
    name: "HEALTHCHECK flags and the other metadata",
    text: 'FROM scratch\nHEALTHCHECK --interval=5s --retries=2 CMD ["x"]\nSTOPSIGNAL SIGINT\nUSER 1:1\nEXPOSE 80 443/udp\nVOLUME /v\nMAINTAINER a b <c@d>\n',
  },
  { name: "ONBUILD with a continuation and spaces", text: "FROM scratch\nONBUILD LABEL x=1 \\\n  y=2\nONBUILD   ENV Z=3   \n" },
  { name: "stages by name (any case) and index", text: "FROM scratch AS One\nCOPY f /f\nFROM scratch\nCOPY --from=ONE /f /g\nCOPY --from=0 /f /h\n", files: { f: "hello" } },
  { name: "a stage as a base", text: "FROM scratch AS base\nLABEL a=1\nFROM base\nLABEL b=2\n" },
  { name: "non-ASCII and a no-break space in arguments", text: 'FROM scratch\nLABEL a=h\u00e9llo b="\u00a0x" c=y\u3000d=z\n' },
  { name: "a quoted flag value", text: 'FROM scratch\nCOPY --chown="1:1" f /f\n', files: { f: "x" } },
  { name: "FROM --platform", text: "FROM --platform=linux/amd64 scratch\nLABEL p=1\n" },
  { name: "a carriage return inside a line", text: "FROM scratch\nLABEL a=1\rb=2\n" },
  { name: "a stage ARG", text: "FROM scratch\nARG V=1\nLABEL v=$V\n" },
  { name: "a base image by name, RUN in both forms", text: `FROM ${PY}\nRUN echo a \\\n  && echo b\nRUN ["true"]\n` },
];

async function build(text: string, files: Record<string, string>): Promise<{ id: string } | { error: string }> {
  const ctx = pack();
  ctx.entry({ name: "Dockerfile" }, text);
  for (const [name, data] of Object.entries(files)) ctx.entry({ name }, data);
  ctx.finalize();
  const tag = `levhub-test/parity:${run}-${tags.length}`;
  tags.push(tag);
  try {
    return { id: await engine.buildImage(ctx as unknown as Readable, tag, {}, () => undefined, { networkMode: "none" }) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** What an image is: its configuration (ONBUILD triggers as the engine will parse them) and its history. */
async function describe(id: string) {
  const info = await engine.docker.getImage(id).inspect();
  const c = info.Config;
  const history = (await engine.docker.getImage(id).history()) as { CreatedBy: string }[];
  return {
    config: {
      Env: c.Env,
      Cmd: c.Cmd,
      Entrypoint: c.Entrypoint,
      Labels: c.Labels,
      OnBuild: (c.OnBuild ?? []).map(trimSpaceGo),
      WorkingDir: c.WorkingDir,
      User: c.User,
      ExposedPorts: c.ExposedPorts,
      Volumes: c.Volumes,
      Healthcheck: (c as { Healthcheck?: unknown }).Healthcheck,
      Shell: (c as { Shell?: unknown }).Shell,
      StopSignal: (c as { StopSignal?: unknown }).StopSignal,
    },
    history: history.map((h) => trimSpaceGo(h.CreatedBy)),
    author: info.Author,
  };
}

test("the checked Dockerfile builds the same image as the uploaded one, for every tricky case", async () => {
  const base = await engine.docker.getImage(PY).inspect();
  const resolve = buildImageResolver({ base: new Map([[PY, base.Id]]), packages: [] });
  for (const c of cases) {
    const checked = checkDockerfile(c.text, resolve);
    assert.deepEqual(checked.problems, [], c.name);
    const uploaded = await build(c.text, c.files ?? {});
    const rewritten = await build(checked.text, c.files ?? {});
    if (c.refused) {
      assert.ok("error" in uploaded && "error" in rewritten, c.name);
      assert.equal(rewritten.error, uploaded.error, c.name);
      continue;
    }
    assert.ok("id" in uploaded, `${c.name}: the uploaded text builds (${JSON.stringify(uploaded)})`);
    assert.ok("id" in rewritten, `${c.name}: the checked text builds (${JSON.stringify(rewritten)})\n${checked.text}`);
    assert.deepEqual(await describe(rewritten.id), await describe(uploaded.id), `${c.name}\n${checked.text}`);
  }
});

/** Words as the hub's lexer reads them (FROM's image, global ARGs) against the engine's: LABEL values run through the same lexer. */
const WORDS: [EscapeToken, string][] = [
  ...["plain", "'$A x'", '"$A x"', "a\\$A", "a\\\\b", "a\\b", '"a\\"b"', '"a\\b"', '"a\\$A"', "$A$B_2", "${A}x", "$Ax", "$", "$-", "$1x"].map((w): [EscapeToken, string] => ["\\", w]),
  ...["${Z:-def}", "${E:-def}", "${A:-def}", "${A:+alt}", "${E:+alt}", "${Z:+alt}", "${Z:-$A}", "${Z:-'q'}", "${A?msg}", "sc\u00e9ne", "${Z:-a\\}b}"].map((w): [EscapeToken, string] => ["\\", w]),
  ...["C:\\path", "a`$A", '"a`"b"', '"a\\"', "``"].map((w): [EscapeToken, string] => ["`", w]),
  ...["'open", "${A", "${:x}", "${A%x}", "${Z?}", "${E:?}"].map((w): [EscapeToken, string] => ["\\", w]),
];

test("the hub's lexer reads every word as the engine does, errors included", async () => {
  const env = new Map([
    ["A", "alpha"],
    ["E", ""],
    ["B_2", "two"],
  ]);
  for (const [escape, word] of WORDS) {
    let want: string | null;
    try {
      want = processWord(word, env, escape);
    } catch (err) {
      if (!(err instanceof LexError)) throw err;
      want = null;
    }
    const head = escape === "`" ? "# escape=`\n" : "";
    const built = await build(`${head}FROM scratch\nENV A=alpha E= B_2=two\nLABEL w=${word}\n`, {});
    if (want === null) {
      assert.ok("error" in built, `${word}: the engine refuses it too`);
      continue;
    }
    assert.ok("id" in built, `${word}: ${JSON.stringify(built)}`);
    assert.equal((await engine.docker.getImage(built.id).inspect()).Config.Labels?.w, want, `${escape} ${word}`);
  }
});
