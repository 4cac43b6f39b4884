import { Fragment } from "react";

/** Docstring text with `backtick` spans shown as code; everything else stays plain text. */
export function InlineText({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`)/g);
  return (
    <>
      {parts.map((p, i) =>
        p.length > 2 && p.startsWith("`") && p.endsWith("`") ? (
          <code key={i} className="rounded bg-zinc-100 px-1 py-px font-mono text-[0.92em] text-zinc-800">{p.slice(1, -1)}</code>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        ),
      )}
    </>
  );
}

/** A docstring without the `Key: value` fact lines that are shown separately. */
export function withoutFacts(doc: string, facts: Record<string, string>): string {
  const keys = new Set(Object.keys(facts).map((k) => k.toLowerCase()));
  return doc
    .split("\n")
    .filter((line) => {
      const m = /^\s*([A-Za-z][\w ]*):\s+\S/.exec(line);
      return !(m && keys.has(m[1].toLowerCase()));
    })
    .join("\n")
    .trim();
}
