/**
 * The collection tree of the results browser: collection names are namespace path and schema
 * joined by `|` (`lev|nmap|port_os`); each segment is a node, each collection a leaf with its
 * document count, each node the sum of what is under it. Pure.
 */
import type { CollectionCount } from "./types.ts";

export interface CollectionNode {
  /** this segment */
  name: string;
  /** the segments up to here joined by `|` */
  path: string;
  /** set when a collection has exactly this name */
  coll: string | null;
  documents: number;
  children: CollectionNode[];
}

export function collectionTree(counts: CollectionCount[]): CollectionNode[] {
  const root: CollectionNode = { name: "", path: "", coll: null, documents: 0, children: [] };
  for (const c of counts) {
    let node = root;
    node.documents += c.documents;
    const parts = c.coll.split("|");
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join("|");
      let child = node.children.find((n) => n.name === name);
      if (!child) {
        child = { name, path, coll: null, documents: 0, children: [] };
        node.children.push(child);
      }
      child.documents += c.documents;
      node = child;
    });
    node.coll = c.coll;
  }
  const sort = (nodes: CollectionNode[]) => {
    nodes.sort((a, b) => a.name.localeCompare(b.name));
    for (const n of nodes) sort(n.children);
  };
  sort(root.children);
  return root.children;
}
