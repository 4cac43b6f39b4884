/**
 * A report's outline: the sections of a `ReportModel` as a flat list of blocks (headings,
 * paragraphs, facts, tables, evidence excerpts). The three renderers only turn blocks into their
 * format, so what a report says and in which order is decided here, once. Pure.
 */
import { STATE_LABELS } from "../schemas/finding-vocabulary.ts";
import { cutNote, formatWhen, lineText, serviceText, SEVERITIES_WORST_FIRST, type ReportModel } from "./model.ts";

export type Block =
  | { kind: "title"; text: string }
  | { kind: "heading"; level: 2 | 3; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "note"; text: string }
  | { kind: "facts"; rows: [label: string, value: string][] }
  /** widths: relative column widths (the PDF's); rows hold one-line texts */
  | { kind: "table"; label: string; columns: { label: string; width: number }[]; rows: string[][] }
  /** a multi-line text shown as it is (an evidence excerpt) */
  | { kind: "code"; label: string; text: string };

const severityLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function reportOutline(m: ReportModel): Block[] {
  const out: Block[] = [];
  const note = (text: string) => {
    if (text) out.push({ kind: "note", text });
  };
  out.push({ kind: "title", text: `Engagement report: ${m.title}` });
  out.push({
    kind: "facts",
    rows: [
      ["Project", `${m.project.name} (${m.project.slug})`],
      ...(m.project.client ? [["Client", m.project.client] as [string, string]] : []),
      ["Authorised window", `${m.project.windowStart ? formatWhen(m.project.windowStart) : "open"} to ${m.project.windowEnd ? formatWhen(m.project.windowEnd) : "open"}`],
      ["Generated", `${formatWhen(m.generatedAt)} by ${m.generatedBy}`],
      ...(m.since ? [["Changes since", formatWhen(m.since)] as [string, string]] : []),
    ],
  });
  if (m.project.description) out.push({ kind: "paragraph", text: m.project.description });

  out.push({ kind: "heading", level: 2, text: "Summary" });
  const open = m.findings.map((f) => `${f.total} ${f.severity}`).join(", ");
  out.push({ kind: "paragraph", text: `${m.runs.total} run(s), ${m.hosts.total} host(s), ${m.services.total} service(s), ${m.origins.total} web origin(s). Findings: ${open}.` });

  out.push({ kind: "heading", level: 2, text: "Scope" });
  if (!m.scope) out.push({ kind: "paragraph", text: "Unscoped: no target rules were set." });
  else
    out.push({
      kind: "facts",
      rows: [
        ["Allowed", m.scope.allow.join(", ") || "—"],
        ["Excluded", m.scope.exclude.join(", ") || "—"],
        ["Services (not targets)", m.scope.services.join(", ") || "—"],
      ],
    });

  if (m.changes) {
    out.push({ kind: "heading", level: 2, text: `Changes since ${formatWhen(m.since)}` });
    out.push({ kind: "paragraph", text: `${m.changes.hosts.total} new host(s), ${m.changes.services.total} new service(s), ${m.changes.findings.total} new finding(s).` });
    if (m.changes.hosts.items.length) out.push({ kind: "table", label: "New hosts", columns: [{ label: "Host", width: 1 }], rows: m.changes.hosts.items.map((h) => [h]) });
    if (m.changes.services.items.length) out.push({ kind: "table", label: "New services", columns: [{ label: "Service", width: 1 }], rows: m.changes.services.items.map((s) => [s]) });
    if (m.changes.findings.items.length)
      out.push({
        kind: "table",
        label: "New findings",
        columns: [{ label: "Severity", width: 1 }, { label: "Finding", width: 4 }, { label: "Asset", width: 2 }],
        rows: m.changes.findings.items.map((f) => [f.severity, f.title, f.asset || "(project)"]),
      });
    note(cutNote(m.changes.findings, "new findings"));
  }

  out.push({ kind: "heading", level: 2, text: "What ran" });
  if (!m.runs.items.length) out.push({ kind: "paragraph", text: "No runs." });
  for (const r of m.runs.items) {
    out.push({ kind: "heading", level: 3, text: `Run #${r.number}: ${r.package} ${r.version} ${r.function}` });
    out.push({
      kind: "facts",
      rows: [
        ["Status", r.status],
        ["Started by", `${r.owner} (${r.trigger})`],
        ["Created", formatWhen(r.createdAt)],
        ["Ran", `${formatWhen(r.startedAt)} to ${formatWhen(r.endedAt)}`],
        ["Package archive sha256", r.archiveSha256 ?? "—"],
        ["Image digest", r.imageDigest ?? "—"],
        ["Arguments", r.args],
      ],
    });
    if (r.tasks.length)
      out.push({
        kind: "table",
        label: `Tasks of run #${r.number}`,
        columns: [{ label: "Task", width: 1 }, { label: "Image", width: 5 }, { label: "Status", width: 2 }],
        rows: r.tasks.map((t) => [String(t.number), t.resolvedImage && t.resolvedImage !== t.image ? `${t.image} (ran ${t.resolvedImage})` : t.image, t.status]),
      });
    note(r.tasksTotal > r.tasks.length ? `${r.tasks.length} of ${r.tasksTotal} tasks listed.` : "");
  }
  note(cutNote(m.runs, "runs"));

  out.push({ kind: "heading", level: 2, text: "Assets" });
  if (!m.hosts.total && !m.services.total && !m.origins.total) out.push({ kind: "paragraph", text: "No assets recorded." });
  if (m.hosts.items.length)
    out.push({
      kind: "table",
      label: "Hosts",
      columns: [{ label: "Address", width: 2 }, { label: "Names", width: 3 }, { label: "First seen", width: 2 }, { label: "Last seen", width: 2 }],
      rows: m.hosts.items.map((h) => [h.address, h.names.join(", "), formatWhen(h.firstSeen), formatWhen(h.lastSeen)]),
    });
  note(cutNote(m.hosts, "hosts"));
  if (m.services.items.length)
    out.push({
      kind: "table",
      label: "Services",
      columns: [{ label: "Service", width: 3 }, { label: "State", width: 1 }, { label: "Name", width: 1.5 }, { label: "Product and version", width: 3 }, { label: "Last seen", width: 2 }],
      rows: m.services.items.map((s) => [serviceText(s), s.state ?? "", s.service ?? "", [s.product, s.version].filter(Boolean).join(" "), formatWhen(s.lastSeen)]),
    });
  note(cutNote(m.services, "services"));
  if (m.origins.items.length)
    out.push({ kind: "table", label: "Web origins", columns: [{ label: "Origin", width: 4 }, { label: "Last seen", width: 2 }], rows: m.origins.items.map((o) => [o.origin, formatWhen(o.lastSeen)]) });
  note(cutNote(m.origins, "origins"));

  out.push({ kind: "heading", level: 2, text: "Findings" });
  for (const severity of SEVERITIES_WORST_FIRST) {
    const group = m.findings.find((f) => f.severity === severity);
    if (!group || !group.total) continue;
    out.push({ kind: "heading", level: 3, text: `${severityLabel(severity)} (${group.total})` });
    for (const f of group.items) {
      out.push({ kind: "paragraph", text: `${f.title}` });
      out.push({
        kind: "facts",
        rows: [
          ["Asset", f.asset || "(the project)"],
          ["State", STATE_LABELS[f.state]],
          ["Tool", f.tool],
          ["Seen", `${formatWhen(f.firstSeen)} to ${formatWhen(f.lastSeen)}`],
          ...(f.note ? [["Note", lineText(f.note)] as [string, string]] : []),
        ],
      });
      for (const e of f.evidence) out.push({ kind: "code", label: `Evidence: run #${e.run}, ${e.coll} task ${e.task}, ${e.path} (sha256 ${e.sha256})`, text: e.excerpt });
      note(f.evidenceTotal > f.evidence.length ? `${f.evidence.length} of ${f.evidenceTotal} evidence rows shown.` : "");
    }
    note(group.total > group.items.length ? `${group.items.length} of ${group.total} ${severity} findings listed; the rest counted only.` : "");
  }
  if (!m.findings.some((f) => f.total)) out.push({ kind: "paragraph", text: "No findings." });
  return out;
}
