/**
 * Comment Markdown to HTML, on the server, for text anyone with an account writes. Pure.
 *
 * markdown-it with raw HTML off (`<script>` and every other tag stay text), no images (a picture
 * in a comment would load a stranger's URL in every reader's browser), links only to http, https,
 * mailto or a relative address, and a last pass over the parsed tokens that keeps only the token
 * types and attributes listed here: whatever a future markdown-it rule or option adds is dropped
 * or shown as text, never rendered as something nobody reviewed.
 */
import markdownIt, { type MarkdownIt, type Token } from "markdown-it";

const ALLOWED_SCHEMES = new Set(["http", "https", "mailto"]);

/**
 * Whether a link target may be rendered: relative addresses, or http, https and mailto. Read as a
 * browser reads it: C0 controls and spaces at either end ignored, tabs and newlines inside removed
 * (`java\tscript:` is `javascript:` to a browser), the scheme case-insensitive.
 */
export function safeLinkTarget(url: string): boolean {
  // eslint-disable-next-line no-control-regex -- exactly the characters a URL parser strips or skips
  const s = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  // eslint-disable-next-line no-control-regex -- a control character left inside is no link anyone means
  if (/[\u0000-\u001f\u007f]/.test(s)) return false;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  return scheme === null || ALLOWED_SCHEMES.has(scheme[1].toLowerCase());
}

/** What a rendered link carries: no referrer trust, no ranking credit, no window handle. */
export const LINK_REL = "nofollow noopener ugc";

/** The tokens a comment may render, with the attributes each may keep (and the values some must have). */
const ALLOWED: Record<string, Record<string, RegExp> | null> = {
  paragraph_open: null, paragraph_close: null,
  heading_open: null, heading_close: null,
  blockquote_open: null, blockquote_close: null,
  bullet_list_open: null, bullet_list_close: null,
  ordered_list_open: { start: /^\d{1,9}$/ }, ordered_list_close: null,
  list_item_open: null, list_item_close: null,
  table_open: null, table_close: null, thead_open: null, thead_close: null, tbody_open: null, tbody_close: null,
  tr_open: null, tr_close: null,
  th_open: { style: /^text-align:(left|center|right)$/ }, th_close: null,
  td_open: { style: /^text-align:(left|center|right)$/ }, td_close: null,
  hr: null, code_block: null, fence: null,
  inline: null, text: null, text_special: null, softbreak: null, hardbreak: null, code_inline: null,
  em_open: null, em_close: null, strong_open: null, strong_close: null, s_open: null, s_close: null,
  link_open: { href: /^/, title: /^/ }, link_close: null,
};

/** A token nobody listed, as the text it was written as. */
function asText(t: Token): Token {
  const text = new (t.constructor as typeof Token)("text", "", 0);
  text.content = t.content || t.markup;
  text.level = t.level;
  return text;
}

const emptyText = (t: Token): Token => Object.assign(asText(t), { content: "" });

/** Keeps the listed tokens and attributes only (the last pass of the comment renderer; exported for its test). */
export function sanitiseTokens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  // links do not nest (CommonMark), so a refused link's close is the next link_close
  let refusedLinkOpen = false;
  for (const t of tokens) {
    const allowed = Object.hasOwn(ALLOWED, t.type) ? ALLOWED[t.type] : undefined;
    if (allowed === undefined) {
      out.push(asText(t));
      continue;
    }
    if (t.type === "link_close" && refusedLinkOpen) {
      refusedLinkOpen = false;
      out.push(emptyText(t));
      continue;
    }
    t.attrs = (t.attrs ?? []).filter(([name, value]) => allowed !== null && Object.hasOwn(allowed, name) && allowed[name].test(String(value)));
    if (t.type === "link_open") {
      const href = t.attrGet("href");
      // a link whose target is refused is left out; its text stays, as text
      if (href === null || !safeLinkTarget(String(href))) {
        refusedLinkOpen = true;
        out.push(emptyText(t));
        continue;
      }
      t.attrSet("rel", LINK_REL);
    }
    if (t.attrs.length === 0) t.attrs = null;
    // a fence's info string becomes a class attribute: the author's text inside the page's markup
    t.info = "";
    if (t.children) t.children = sanitiseTokens(t.children);
    out.push(t);
  }
  return out;
}

function commentRenderer(): MarkdownIt {
  const md = markdownIt("default", { html: false, linkify: true, typographer: false, breaks: true, maxNesting: 20 });
  md.disable(["image"]);
  md.validateLink = safeLinkTarget;
  md.core.ruler.push("levhub_allowlist", (state) => {
    state.tokens = sanitiseTokens(state.tokens);
  });
  return md;
}

let renderer: MarkdownIt | null = null;

/** A comment's Markdown as HTML that is safe to put in the page as it is. */
export function renderCommentMarkdown(source: string): string {
  renderer ??= commentRenderer();
  return renderer.render(source);
}
