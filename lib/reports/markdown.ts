/**
 * The report as Markdown (CommonMark with GitHub tables). Every text is escaped: ASCII punctuation
 * backslash-escaped, so a finding titled `[x](javascript:…)` or `<script>` stays text in any
 * renderer; excerpts go in a fence longer than any run of backticks they hold. Pure.
 */
import { reportOutline, type Block } from "./outline.ts";
import { reportDigest, type ReportModel } from "./model.ts";

/**
 * One line of hostile text as Markdown text: the punctuation that makes emphasis, links, images,
 * bare links (`://`, `www.`), HTML, entities, tables and strikethrough escaped, and what would open a block
 * at the start of a line (a list's `-`/`+`/`1.`, a heading, a quote) too.
 */
export function mdText(text: string): string {
  return text
    .replace(/\n/g, " ")
    .replace(/[\\`*_{}[\]#<>|~&!$^]/g, (c) => `\\${c}`)
    .replace(/:(?=\/\/)/g, "\\:")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/^(\s*)([-+=])(?=\s|$)/, "$1\\$2")
    .replace(/^(\s*)(\d+)([.)])(?=\s|$)/, "$1$2\\$3");
}

function fence(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const f = "`".repeat(Math.max(3, longest + 1));
  return `${f}text\n${text}\n${f}`;
}

function block(b: Block): string {
  switch (b.kind) {
    case "title":
      return `# ${mdText(b.text)}`;
    case "heading":
      return `${"#".repeat(b.level)} ${mdText(b.text)}`;
    case "paragraph":
      return mdText(b.text);
    case "note":
      return `*${mdText(b.text)}*`;
    case "facts":
      return b.rows.map(([k, v]) => `- **${mdText(k)}:** ${mdText(v)}`).join("\n");
    case "table":
      return [`**${mdText(b.label)}**`, "", `| ${b.columns.map((c) => mdText(c.label)).join(" | ")} |`, `|${b.columns.map(() => " --- ").join("|")}|`, ...b.rows.map((r) => `| ${r.map(mdText).join(" | ")} |`)].join("\n");
    case "code":
      return `${mdText(b.label)}\n\n${fence(b.text)}`;
  }
}

export function renderMarkdown(model: ReportModel): string {
  const body = reportOutline(model).map(block).join("\n\n");
  return `${body}\n\n---\n\n${mdText(`Report sha256 ${reportDigest(model)}, generated ${model.generatedAt}`)}\n`;
}
