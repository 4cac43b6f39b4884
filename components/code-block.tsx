import hljs from "highlight.js/lib/common";

/**
 * Highlighted code, rendered on the server (highlight.js needs no network or worker). Long lines
 * wrap (an example, a document, a build log must be read whole on a phone, not cut off); the
 * source tab's SourceView keeps lines whole beside their numbers.
 */
export function CodeBlock({ code, language, label }: { code: string; language?: string; label?: string }) {
  const lang = language && hljs.getLanguage(language) ? language : undefined;
  const html = lang ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : hljs.highlightAuto(code).value;
  return (
    <pre aria-label={label} className="whitespace-pre-wrap wrap-anywhere rounded-md border border-zinc-200 bg-zinc-50 p-3 text-[13px] leading-relaxed">
      <code className="hljs bg-transparent! p-0!" dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}

/** Source code with line numbers, for the package source tab. */
export function SourceView({ code, path }: { code: string; path: string }) {
  const ext = path.split(".").pop() ?? "";
  const map: Record<string, string> = { py: "python", toml: "ini", md: "markdown", json: "json", sh: "bash", yml: "yaml", yaml: "yaml", txt: "plaintext", cfg: "ini", ini: "ini" };
  const lang = map[ext] ?? (path.endsWith("Dockerfile") ? "dockerfile" : "plaintext");
  const html = hljs.getLanguage(lang) ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : escapeHtml(code);
  const count = code.split("\n").length - (code.endsWith("\n") ? 1 : 0);
  return (
    <div aria-label={`Source of ${path}`} role="region" className="flex overflow-x-auto font-mono text-[13px] leading-5">
      <pre aria-hidden className="select-none py-3 pl-3 pr-3 text-right text-zinc-400">
        {Array.from({ length: Math.max(count, 1) }, (_, i) => i + 1).join("\n")}
      </pre>
      <pre className="flex-1 py-3 pr-3">
        <code className="hljs bg-transparent! p-0!" dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
    </div>
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}
