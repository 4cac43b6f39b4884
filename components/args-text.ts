import { fileSize } from "./file-size.ts";

/** Run arguments as one line, `name="value" ports=[22,80]`, and cut to `max` characters for a list (the whole on hover). Pure. */
export function argsText(args: Record<string, unknown>, max = Infinity): string {
  const text = Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v) ?? "null"}`)
    .join(" ");
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/**
 * One argument's value as a run's or scan's page shows it: JSON, except a file reference
 * (`{"$lev": "file", "id"}`) whose file the page knows, shown as `file words.txt (23 bytes)`.
 */
export function argValueText(value: unknown, files: readonly { id: string; name: string; size: number }[]): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const file = v.$lev === "file" ? files.find((f) => f.id === v.id) : undefined;
    if (file) return `file ${file.name} (${fileSize(file.size)})`;
  }
  return JSON.stringify(value) ?? "null";
}
