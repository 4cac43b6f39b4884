/** A project the run form may send a run to. */
export interface ProjectChoice {
  slug: string;
  name: string;
  personal: boolean;
  /** the window is closed or not open yet: shown, so the refusal is no surprise */
  windowNote: string | null;
}

/** The run form's "Project" choice: only projects where the viewer may run; the default is chosen by the page. */
export function ProjectSelect({ projects, selected, error }: { projects: ProjectChoice[]; selected: string; error?: string }) {
  return (
    <div>
      <label htmlFor="field-project" className="label">Project</label>
      <select id="field-project" name="project" defaultValue={selected} className="input mt-1 max-w-sm" aria-invalid={error ? true : undefined} aria-describedby="field-project-hint">
        {projects.map((p) => (
          <option key={p.slug} value={p.slug}>
            {p.personal ? `${p.name} (personal)` : p.name}
            {p.windowNote ? ` — ${p.windowNote}` : ""}
          </option>
        ))}
      </select>
      <p id="field-project-hint" className="hint">The run, its results and its logs belong to this project: its members see them.</p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
