import Link from "next/link";

interface Node {
  name: string;
  path: string;
  children: Map<string, Node>;
  isFile: boolean;
}

function build(paths: string[]): Node {
  const root: Node = { name: "", path: "", children: new Map(), isFile: false };
  for (const p of [...paths].sort()) {
    let cur = root;
    const parts = p.split("/");
    parts.forEach((part, i) => {
      const path = parts.slice(0, i + 1).join("/");
      let next = cur.children.get(part);
      if (!next) {
        next = { name: part, path, children: new Map(), isFile: i === parts.length - 1 };
        cur.children.set(part, next);
      }
      cur = next;
    });
  }
  return root;
}

function sorted(n: Node): Node[] {
  return [...n.children.values()].sort((a, b) => Number(a.isFile) - Number(b.isFile) || a.name.localeCompare(b.name));
}

/** The files of a package version as a folder tree; each file links to its source view. */
export function FileTree({ paths, selected, hrefFor }: { paths: string[]; selected: string | null; hrefFor: (path: string) => string }) {
  const root = build(paths);
  const render = (n: Node, depth: number) => (
    <ul role={depth === 0 ? "tree" : "group"} aria-label={depth === 0 ? "Files" : undefined} className="text-sm">
      {sorted(n).map((c) => (
        <li key={c.path} role="treeitem" aria-selected={c.path === selected} aria-expanded={c.isFile ? undefined : true}>
          {c.isFile ? (
            <Link
              href={hrefFor(c.path)}
              style={{ paddingLeft: `${depth * 12 + 8}px` }}
              className={`block truncate rounded py-0.5 pr-2 font-mono text-[13px] hover:bg-zinc-100 hover:no-underline ${c.path === selected ? "bg-accent-50 font-semibold text-accent-700" : "text-zinc-700"}`}
            >
              {c.name}
            </Link>
          ) : (
            <>
              <span style={{ paddingLeft: `${depth * 12 + 8}px` }} className="block py-0.5 font-mono text-[13px] text-zinc-500">{c.name}/</span>
              {render(c, depth + 1)}
            </>
          )}
        </li>
      ))}
    </ul>
  );
  return render(root, 0);
}
