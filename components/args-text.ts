/** Run arguments as one line, `name="value" ports=[22,80]`, and cut to `max` characters for a list (the whole on hover). Pure. */
export function argsText(args: Record<string, unknown>, max = Infinity): string {
  const text = Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v) ?? "null"}`)
    .join(" ");
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}
