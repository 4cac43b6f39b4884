/**
 * A count with its noun: `plural(1, "document")` → "1 document", `plural(3, "document")` →
 * "3 documents", `plural(2, "entry", "entries")`. Pure; pages and the CLI share it, so no list says
 * "1 items" or "document(s)".
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
