import Link from "next/link";
import type { IgnoredFields } from "../lib/compare/runs.ts";

/**
 * The compare page's address for runs A and B; `ignore` (when given, even empty) replaces the
 * fields the package ignores, so a link keeps the choice.
 */
export function compareHref(a: string, b: string, ignore?: readonly string[]): string {
  const q = new URLSearchParams({ a, b });
  if (ignore) q.set("ignore", ignore.join(","));
  return `/compare?${q}`;
}

/**
 * The fields left out of the comparison, each removable, and a field to add: links and a plain GET
 * form (the page merges `add` into `ignore` and redirects), so it works without JavaScript.
 */
export function CompareIgnore({ a, b, ignore, error, draft }: { a: string; b: string; ignore: IgnoredFields; error: string | null; draft?: string }) {
  const { fields, chosen } = ignore;
  return (
    <section aria-label="Ignored fields" className="space-y-2 text-sm">
      <p>
        <span className="font-medium">Ignored fields</span>{" "}
        <span className="text-zinc-500">
          {chosen ? "(chosen for this comparison)" : fields.length ? "(declared by the package)" : "(none: every field is compared)"}
        </span>
        {chosen && (
          <>
            {" "}
            <Link href={compareHref(a, b)}>Use the package&apos;s</Link>
          </>
        )}
      </p>
      {fields.length > 0 && (
        <ul className="flex flex-wrap gap-2">
          {fields.map((f) => (
            <li key={f} className="flex items-center gap-1 rounded border border-zinc-200 bg-white px-1.5 py-0.5">
              <code className="text-xs">{f}</code>
              <Link
                href={compareHref(
                  a,
                  b,
                  fields.filter((x) => x !== f),
                )}
                aria-label={`Compare ${f} again`}
                className="text-xs text-zinc-500"
              >
                ×
              </Link>
            </li>
          ))}
        </ul>
      )}
      <form method="get" action="/compare" className="flex flex-wrap items-end gap-2" aria-label="Add an ignored field">
        <input type="hidden" name="a" value={a} />
        <input type="hidden" name="b" value={b} />
        <input type="hidden" name="ignore" value={fields.join(",")} />
        <label className="text-sm">
          <span className="label">Ignore a field</span>
          <input
            name="add"
            defaultValue={draft}
            placeholder="hosts[].os"
            aria-invalid={error ? true : undefined}
            aria-describedby="compare-ignore-help"
            className="input mt-1 font-mono"
          />
        </label>
        <button type="submit" className="btn">
          Ignore
        </button>
      </form>
      {error ? (
        <p id="compare-ignore-help" role="alert" className="field-error">
          {error}
        </p>
      ) : (
        <p id="compare-ignore-help" className="hint">
          A path like <code>hosts[].os</code> leaves that field out of every host; the counts and changes below are without it.
        </p>
      )}
    </section>
  );
}
