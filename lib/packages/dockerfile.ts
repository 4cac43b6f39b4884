/**
 * Which images a package's Dockerfile builds from. Pure: the uploader's Dockerfile is text to
 * check, and every image it names (`FROM`, `COPY --from`) must be an admin-listed base image, an
 * earlier stage, or the image of a package the uploader may see. Anything else reads "not
 * available", whether it is private to someone else or does not exist.
 */

/** An image reference → the image to build from, or null when the uploader may not use it. */
export type BuildImageResolver = (ref: string) => string | null;

export interface PackageImageRef {
  namespace: string;
  name: string;
  imageId: string;
}

const withTag = (ref: string) => (/:[^/]*$/.test(ref) || ref.includes("@") ? ref : `${ref}:latest`);

/** The resolver of an upload: base images by name; `.ns.name[:tag]` and `levpkg/ns.name[:tag]` of visible packages. */
export function buildImageResolver(baseImages: readonly string[], visible: readonly PackageImageRef[]): BuildImageResolver {
  const base = new Set(baseImages.map(withTag));
  const packages = new Map(visible.map((p) => [`${p.namespace}.${p.name}`.toLowerCase(), p.imageId]));
  return (ref) => {
    if (base.has(withTag(ref))) return ref;
    const m = /^(?:\.|levpkg\/)([A-Za-z_]\w*\.[A-Za-z_]\w*)(?::[\w][\w.-]{0,127})?$/.exec(ref);
    return m ? (packages.get(m[1].toLowerCase()) ?? null) : null;
  };
}

export interface CheckedDockerfile {
  /** the Dockerfile to build: image references replaced by what they resolved to, line numbers kept */
  text: string;
  /** every problem, one sentence each; the build must not start when there is any */
  problems: string[];
}

interface LogicalLine {
  /** index of the first physical line */
  start: number;
  /** physical lines it spans */
  count: number;
  text: string;
}

function logicalLines(text: string): { lines: LogicalLine[]; physical: string[] } {
  const physical = text.replace(/\r\n?/g, "\n").split("\n");
  let escape = "\\";
  // parser directives: leading `# key=value` comments before anything else
  for (const line of physical) {
    const d = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!d) break;
    if (d[1].toLowerCase() === "escape" && (d[2] === "`" || d[2] === "\\")) escape = d[2];
  }
  const lines: LogicalLine[] = [];
  let cur: LogicalLine | null = null;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i];
    if (/^\s*#/.test(raw)) {
      if (cur) cur.count = i - cur.start + 1; // a comment inside a continuation is skipped
      continue;
    }
    const trimmed = raw.replace(/\s+$/, "");
    const continues = trimmed.endsWith(escape);
    const part = continues ? trimmed.slice(0, -1) : trimmed;
    if (!cur) {
      if (!part.trim() && !continues) continue;
      cur = { start: i, count: 1, text: part };
    } else {
      cur.text += part;
      cur.count = i - cur.start + 1;
    }
    if (!continues) {
      lines.push(cur);
      cur = null;
    }
  }
  if (cur) lines.push(cur);
  return { lines, physical };
}

/** `$X`, `${X}`, `${X:-default}`, `${X:+alt}` with the global ARGs; null names the first unresolvable variable. */
function substitute(value: string, args: Map<string, string | null>): { value: string } | { missing: string } {
  let missing: string | null = null;
  const out = value.replace(/\$(?:\{([A-Za-z_]\w*)(?::?([-+])([^}]*))?\}|([A-Za-z_]\w*))/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const v = args.get(name) ?? null;
    if (op === "-") return v ? v : (word ?? "");
    if (op === "+") return v ? (word ?? "") : "";
    if (v === null) {
      missing ??= name;
      return "";
    }
    return v;
  });
  return missing !== null ? { missing } : { value: out };
}

/** The sources of `ADD [--flags] <src>... <dest>` or its JSON form. */
function addSources(rest: string): string[] {
  const args = rest.replace(/^(\s*--\S+)+\s*/, "").trim();
  if (args.startsWith("[")) {
    try {
      const list: unknown = JSON.parse(args);
      if (Array.isArray(list)) return list.slice(0, -1).map(String);
    } catch {
      // not JSON after all: read as words below
    }
  }
  return args.split(/\s+/).filter(Boolean).slice(0, -1);
}

function unquote(v: string): string {
  return /^"(.*)"$/.test(v) || /^'(.*)'$/.test(v) ? v.slice(1, -1) : v;
}

/**
 * Checks a Dockerfile's images and rewrites each to what it resolved to (an image id for a
 * package's image). Build arguments are never passed to uploads' builds, so a global `ARG`
 * without a default leaves a `FROM` that uses it unresolvable: refused.
 */
export function checkDockerfile(text: string, resolve: BuildImageResolver): CheckedDockerfile {
  const { lines, physical } = logicalLines(text);
  const problems: string[] = [];
  const globalArgs = new Map<string, string | null>();
  const stages = new Set<string>();
  let stageCount = 0;
  let sawFrom = false;
  const out = [...physical];
  const replace = (l: LogicalLine, text: string) => {
    out.splice(l.start, l.count, text, ...Array<string>(l.count - 1).fill(""));
  };

  for (const l of lines) {
    const m = /^\s*([A-Za-z]+)(?:\s+(.*))?$/.exec(l.text);
    if (!m) continue;
    const instr = m[1].toUpperCase();
    const rest = (m[2] ?? "").trim();
    if (instr === "ARG" && !sawFrom) {
      for (const tok of rest.split(/\s+/).filter(Boolean)) {
        const eq = tok.indexOf("=");
        if (eq < 0) globalArgs.set(tok, globalArgs.get(tok) ?? null);
        else globalArgs.set(tok.slice(0, eq), unquote(tok.slice(eq + 1)));
      }
      continue;
    }
    if (instr === "FROM") {
      sawFrom = true;
      const words = rest.split(/\s+/).filter(Boolean);
      const flags = words.filter((w) => w.startsWith("--"));
      const plain = words.filter((w) => !w.startsWith("--"));
      const shown = plain[0] ?? "";
      if (plain.length !== 1 && !(plain.length === 3 && plain[1].toLowerCase() === "as")) {
        problems.push(`FROM ${rest}: expected FROM [--platform=…] <image> [AS <name>]`);
        continue;
      }
      if (flags.some((f) => !/^--platform=\S+$/.test(f))) {
        problems.push(`FROM ${rest}: only the --platform flag is allowed`);
        continue;
      }
      const sub = substitute(shown, globalArgs);
      if ("missing" in sub) {
        problems.push(`FROM ${shown}: ARG ${sub.missing} has no default value (build arguments are not passed to uploads' builds)`);
        continue;
      }
      const image = sub.value;
      const stage = plain[2]?.toLowerCase();
      let use: string | null;
      if (stages.has(image.toLowerCase()) || image === "scratch") use = image;
      else use = resolve(image);
      if (use === null) problems.push(`FROM ${shown}: image '${image}' is not available`);
      else replace(l, ["FROM", ...flags, use, ...(stage ? ["AS", plain[2]] : [])].join(" "));
      if (stage) stages.add(stage);
      stageCount++;
      continue;
    }
    if (instr === "ADD" && addSources(rest).some((src) => /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(src))) {
      // the engine itself downloads ADD's URLs, from the host's network: no build network setting
      // applies, and 127.0.0.1 would be the Docker host's
      problems.push(`ADD ${rest}: downloads are not allowed (the engine would fetch them from the host); copy files from the package instead`);
      continue;
    }
    if (instr === "COPY" || instr === "ADD") {
      const from = /(^|\s)--from=(\S+)/.exec(rest);
      if (!from) continue;
      const ref = unquote(from[2]);
      if (ref.includes("$")) {
        problems.push(`${instr} --from=${ref}: variables are not allowed in --from`);
        continue;
      }
      if (stages.has(ref.toLowerCase()) || (/^\d+$/.test(ref) && Number(ref) < stageCount)) continue;
      const use = resolve(ref);
      if (use === null) problems.push(`${instr} --from=${ref}: image '${ref}' is not available`);
      else replace(l, `${m[1]} ${rest.replace(from[0], `${from[1]}--from=${use}`)}`);
      continue;
    }
    if (instr === "ONBUILD" && /(^|\s)--(from|mount)=/.test(rest)) {
      // a trigger runs in a later build (someone deriving from this image), where its --from would
      // name images this check never saw: the image of one package must not reach into another's
      problems.push(`ONBUILD ${rest}: triggers that read other images (--from, --mount) are not allowed`);
      continue;
    }
    if (instr === "RUN" && /(^|\s)--mount=\S*from=/.test(rest)) {
      problems.push("RUN --mount=…from=…: mounting other images is not allowed");
    }
  }
  if (!sawFrom) problems.push("the Dockerfile has no FROM line");
  return { text: out.join("\n"), problems };
}
