/**
 * The report as one HTML page: no script, no external resource, every text escaped; served with
 * `REPORT_HTML_CSP` so even a mistake here could not run or load anything. Pure.
 */
import { reportOutline, type Block } from "./outline.ts";
import { reportDigest, type ReportModel } from "./model.ts";

/** The HTML download's Content-Security-Policy: inline styles, nothing else. */
export const REPORT_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function htmlText(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f3f3f3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}.note{font-style:italic;color:#555}footer{margin-top:3rem;color:#555;font-size:.8rem}`;

function block(b: Block): string {
  switch (b.kind) {
    case "title":
      return `<h1>${htmlText(b.text)}</h1>`;
    case "heading":
      return `<h${b.level}>${htmlText(b.text)}</h${b.level}>`;
    case "paragraph":
      return `<p>${htmlText(b.text)}</p>`;
    case "note":
      return `<p class="note">${htmlText(b.text)}</p>`;
    case "facts":
      return `<dl>${b.rows.map(([k, v]) => `<dt>${htmlText(k)}</dt><dd>${htmlText(v)}</dd>`).join("")}</dl>`;
    case "table":
      return `<table aria-label="${htmlText(b.label)}"><caption>${htmlText(b.label)}</caption><thead><tr>${b.columns.map((c) => `<th scope="col">${htmlText(c.label)}</th>`).join("")}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${htmlText(c)}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`;
    case "code":
      return `<figure><figcaption>${htmlText(b.label)}</figcaption><pre>${htmlText(b.text)}</pre></figure>`;
  }
}

export function renderHtml(model: ReportModel): string {
  const body = reportOutline(model).map(block).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${htmlText(REPORT_HTML_CSP)}"><meta name="referrer" content="no-referrer">
<title>${htmlText(`Engagement report: ${model.title}`)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main><footer>Report sha256 ${reportDigest(model)}, generated ${htmlText(model.generatedAt)}</footer></body></html>
`;
}
