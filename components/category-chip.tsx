import Link from "next/link";

/** Which taxonomy a category belongs to: the two share names ("Reconnaissance"), so a chip names its family in words, not only in colour. */
export type CategoryFamily = "attck" | "blackarch";

const FAMILY: Record<CategoryFamily, { prefix: string; kind: string; style: string }> = {
  attck: { prefix: "ATT&CK", kind: "ATT&CK tactic", style: "border-rose-200 bg-rose-50 text-rose-800" },
  blackarch: { prefix: "BlackArch", kind: "BlackArch category", style: "border-violet-200 bg-violet-50 text-violet-800" },
};

/** "ATT&CK · Reconnaissance" as a chip (a link to the catalog filtered by it when `href` is given). */
export function CategoryChip({ family, label, href }: { family: CategoryFamily; label: string; href?: string }) {
  const f = FAMILY[family];
  const body = (
    <>
      <span className="font-semibold">{f.prefix}</span>
      <span aria-hidden> · </span>
      {label}
    </>
  );
  const className = `inline-block max-w-full break-words rounded border px-1.5 py-0.5 text-xs ${f.style}`;
  const name = `${f.kind}: ${label}`;
  return href ? (
    <Link href={href} aria-label={name} title={name} className={className}>
      {body}
    </Link>
  ) : (
    <span aria-label={name} title={name} className={className}>
      {body}
    </span>
  );
}
