import Link from "next/link";

export interface ResultsFilterValues {
  project?: string;
  coll?: string;
  run?: string;
  package?: string;
  function?: string;
  from?: string;
  to?: string;
  q?: string;
  fields?: string;
}

const FIELDS: Array<{ name: "package" | "function" | "run" | "from" | "to"; label: string; placeholder?: string; type?: string }> = [
  { name: "package", label: "Package", placeholder: "ns.name" },
  { name: "function", label: "Function", placeholder: "tool.mode" },
  { name: "run", label: "Run", placeholder: "#12 or its id" },
  { name: "from", label: "From", type: "date" },
  { name: "to", label: "To", type: "date" },
];

/** The results filter as a plain GET form: the URL is the state, so every view can be linked. */
export function ResultsFilters({ values, error, projects }: { values: ResultsFilterValues; error: string | null; projects: { slug: string; label: string }[] }) {
  return (
    <form action="/results" aria-label="Filter results" className="card space-y-2 p-3">
      {values.coll && <input type="hidden" name="coll" value={values.coll} />}
      {values.fields && <input type="hidden" name="fields" value={values.fields} />}
      <div className="grid gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <label htmlFor="rf-project" className="label text-xs">Project</label>
          <select id="rf-project" name="project" defaultValue={values.project ?? ""} className="input mt-0.5">
            <option value="">all</option>
            {projects.map((p) => (
              <option key={p.slug} value={p.slug}>{p.label}</option>
            ))}
          </select>
        </div>
        {FIELDS.map((f) => (
          <div key={f.name}>
            <label htmlFor={`rf-${f.name}`} className="label text-xs">{f.label}</label>
            <input id={`rf-${f.name}`} name={f.name} type={f.type ?? "text"} defaultValue={values[f.name] ?? ""} placeholder={f.placeholder} className="input mt-0.5" />
          </div>
        ))}
      </div>
      <div>
        <label htmlFor="rf-q" className="label text-xs">Field query</label>
        <input
          id="rf-q"
          name="q"
          defaultValue={values.q ?? ""}
          placeholder={'ports[] {port = 8080 and state = open}   ·   service ~ http   ·   {"ttl": {"$gte": 64}}'}
          aria-invalid={error ? true : undefined}
          aria-describedby="rf-q-help"
          className="input mt-0.5 font-mono"
        />
        {error ? (
          <p id="rf-q-help" role="alert" className="field-error">{error}</p>
        ) : (
          <p id="rf-q-help" className="hint">
            Operators = != &lt; &lt;= &gt; &gt;= ~ (contains) exists, with and / or / not and parentheses. A path reads into lists, each condition on its own;{" "}
            <code>hosts[].ports[] {"{"}port = 22 and state = open{"}"}</code> holds the conditions to one item. Or MongoDB&apos;s JSON with read-only operators ($elemMatch too).
          </p>
        )}
      </div>
      <div className="flex gap-2">
        <button type="submit" className="btn btn-primary">Filter</button>
        <Link href={values.coll ? `/results?coll=${encodeURIComponent(values.coll)}` : "/results"} className="btn">Clear</Link>
      </div>
    </form>
  );
}
