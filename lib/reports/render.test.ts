import assert from "node:assert/strict";
import { test } from "node:test";
import { buffer } from "node:stream/consumers";
import { pdfPages, pdfText } from "../testing/pdf-text.ts";
import { renderHtml } from "./html.ts";
import { mdText, renderMarkdown } from "./markdown.ts";
import { lineText, plainText, REPORT_CAPS, reportDigest, type ReportFinding, type ReportModel } from "./model.ts";
import { renderPdf } from "./pdf.ts";

const T = "2026-12-07T06:00:00.000Z";
// what containers can put in a report: HTML, a Markdown link to javascript:, an image, control
// characters, a right-to-left override that would show "exe.txt" as "txt.exe"
const SCRIPT = "<script>alert(1)</script>";
const LINK = "[click](javascript:alert(1))";
const IMAGE = "![x](https://evil.example/p.png)";
const RTL = "invoice\u202Etxt.exe";
const CONTROL = "bell\u0007esc\u001b[31mred";

function finding(title: string, extra: Partial<ReportFinding> = {}): ReportFinding {
  return {
    id: "1",
    title: plainText(title),
    severity: "high",
    state: "new",
    asset: "10.0.0.5:6379/tcp",
    tool: "levhub.nmap",
    firstSeen: T,
    lastSeen: T,
    note: "",
    evidence: [{ run: 2, coll: "ports", task: 1, path: "ports[0]", excerpt: plainText(`line 1\n${SCRIPT}\n\`\`\`\n${LINK}`), sha256: "a".repeat(64), seenAt: T }],
    evidenceTotal: 1,
    ...extra,
  };
}

function model(): ReportModel {
  return {
    kind: "project",
    title: `Project ${lineText(SCRIPT)}`,
    generatedAt: T,
    generatedBy: "gina",
    since: "2026-12-01T00:00:00.000Z",
    project: { slug: "acme", name: lineText(LINK), client: lineText(RTL), description: plainText(`${IMAGE}\n# heading\n- item`), windowStart: null, windowEnd: null },
    scope: { allow: ["10.0.0.0/24"], exclude: [], services: [] },
    runs: {
      items: [
        {
          id: "r1",
          number: 2,
          package: "levhub.nmap",
          version: "1.0.0",
          function: "scan.ports",
          owner: "gina",
          status: "succeeded",
          trigger: "manual",
          createdAt: T,
          startedAt: T,
          endedAt: T,
          archiveSha256: "b".repeat(64),
          imageDigest: "sha256:" + "c".repeat(64),
          args: plainText(JSON.stringify({ target: SCRIPT, note: CONTROL })),
          tasks: [{ number: 1, image: "levhub/nmap:bookworm", resolvedImage: null, status: "succeeded" }],
          tasksTotal: 1,
        },
      ],
      total: 1,
    },
    hosts: { items: [{ address: "10.0.0.5", names: [lineText(SCRIPT)], firstSeen: T, lastSeen: T }], total: 1 },
    services: { items: [{ address: "10.0.0.5", protocol: "tcp", port: 6379, state: "open", service: "redis", product: lineText(LINK), version: null, firstSeen: T, lastSeen: T }], total: 1 },
    origins: { items: [], total: 0 },
    findings: [
      { severity: "critical", total: 0, items: [] },
      { severity: "high", total: 3, items: [finding(SCRIPT), finding(LINK), finding(`${RTL} ${CONTROL}`)] },
      { severity: "medium", total: 0, items: [] },
      { severity: "low", total: 0, items: [] },
      { severity: "info", total: 0, items: [] },
    ],
    changes: { hosts: { items: ["10.0.0.5"], total: 1 }, services: { items: ["10.0.0.5:6379/tcp"], total: 1 }, findings: { items: [{ severity: "high", title: lineText(SCRIPT), asset: "10.0.0.5:6379/tcp" }], total: 1 } },
  };
}

test("plainText replaces controls and bidirectional overrides, caps and says so", () => {
  assert.equal(plainText(RTL), "invoice\ufffdtxt.exe");
  assert.equal(plainText(CONTROL), "bell\ufffdesc\ufffd[31mred");
  assert.equal(plainText("a\r\nb\rc\td"), "a\nb\nc\td");
  assert.equal(plainText("\u2066x\u2069\u200b\ufeff"), "\ufffdx\ufffd\ufffd\ufffd");
  assert.equal(plainText("x".repeat(REPORT_CAPS.textChars + 5)), `${"x".repeat(REPORT_CAPS.textChars)}…`);
  assert.equal(lineText("a\nb\tc"), "a b c");
  // a cut never splits a surrogate pair
  assert.equal(plainText("😀😀", 1), "😀…");
});

test("mdText leaves no link, image, HTML, emphasis or block opener", () => {
  assert.equal(mdText(LINK), "\\[click\\](javascript:alert(1))");
  assert.equal(mdText(SCRIPT), "\\<script\\>alert(1)\\</script\\>");
  assert.equal(mdText("10.0.0.5:80"), "10.0.0.5:80");
  assert.equal(mdText("see www.x.example"), "see www\\.x.example");
  assert.equal(mdText("- item"), "\\- item");
  assert.equal(mdText("12. item"), "12\\. item");
  assert.equal(mdText("a|b *c* _d_ `e` ~f~ &amp; https://x"), "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\~f\\~ \\&amp; https\\://x");
});

test("the Markdown report escapes every hostile text and fences excerpts safely", () => {
  const md = renderMarkdown(model());
  // outside the fences (where text stays text)
  const prose = md.replace(/(`{3,})text\n[\s\S]*?\n\1(?!`)/g, "");
  assert.ok(!/(?<!\\)<script/.test(prose), "no raw HTML");
  assert.ok(!/(?<!\\)\]\(javascript/.test(prose), "no link to javascript:");
  assert.ok(!/(?<!\\)!(?<!\\)\[/.test(prose) && prose.includes("\\!\\[x\\]"), "no image");
  assert.ok(!md.includes("\u202e") && !md.includes("\u0007") && !md.includes("\u001b"), "no controls, no overrides");
  // the excerpt holds ``` so its fence is longer
  assert.match(md, /````text\nline 1\n<script>alert\(1\)<\/script>\n```\n\[click\]\(javascript:alert\(1\)\)\n````/);
  assert.match(md, /^### High \(3\)$/m);
  assert.match(md, /\| 10\.0\.0\.5:6379\/tcp \| open \| redis \|/);
  assert.ok(md.includes(reportDigest(model())), "the footer names the digest");
});

test("the HTML report has no markup from the data, no script, and its own CSP", () => {
  const html = renderHtml(model());
  assert.ok(!html.includes("<script"), "no script element");
  assert.ok(!/href=|src=/.test(html), "no link or resource");
  assert.ok(html.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
  assert.ok(html.includes(`content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;`));
  assert.ok(!html.includes("\u202e") && !html.includes("\u0007"));
  assert.ok(html.includes("invoice\ufffdtxt.exe"));
  assert.match(html, /<h3>High \(3\)<\/h3>/);
});

test("the PDF report is text a reader extracts: sections, services, findings, footer on every page", async () => {
  const bytes = await buffer(renderPdf(model()));
  assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
  const text = await pdfText(bytes);
  for (const needle of ["Engagement report", "What ran", "Run #2", "levhub.nmap", "10.0.0.5:6379/tcp", "redis", "High (3)", "<script>alert(1)</script>", "sha256:" + "c".repeat(64)]) {
    assert.ok(text.includes(needle), `the PDF says ${needle}`);
  }
  assert.ok(text.includes("invoice?txt.exe"), "the override drawn as ?");
  assert.ok(!text.includes("\u202e"));
  assert.match(text, new RegExp(`Page 1 of \\d+\\s+·\\s+report sha256 ${reportDigest(model())}`));
});

test("a long report breaks pages, repeats table headers and numbers every page", async () => {
  const m = model();
  m.services = {
    items: Array.from({ length: 300 }, (_, i) => ({ address: "10.0.0.5", protocol: "tcp", port: 1000 + i, state: "open", service: "svc", product: "x".repeat(200), version: null, firstSeen: T, lastSeen: T })),
    total: 5000,
  };
  const pages = await pdfPages(await buffer(renderPdf(m)));
  assert.ok(pages.length > 5, `${pages.length} pages`);
  pages.forEach((p, i) => assert.ok(p.includes(`Page ${i + 1} of ${pages.length}`), `page ${i + 1} numbered`));
  assert.ok(pages.join("\n").includes("1299/tcp"), "the last service listed");
  assert.ok(pages.join("\n").includes("300 of 5000 services listed"), "the cut said");
  assert.ok(pages.filter((p) => p.includes("Product and version")).length > 3, "the header repeated on later pages");
});
