/**
 * Catalog rows for integration tests, written the way a publish writes them (a version with its
 * exports, then the package's latest version set) but without Docker: many packages with chosen
 * names, docstrings, categories and publication times in milliseconds.
 */
import { randomBytes } from "node:crypto";
import { db } from "../platform/db.ts";

export interface TestExport {
  qualified: string;
  kind?: "mode" | "workflow";
  desc?: string;
  doc?: string;
  tags?: string[];
  attck?: string[];
  blackarch?: string[];
}

export interface TestPackage {
  namespace: string;
  /** owner of the namespace when it is created here */
  ownerId?: string | null;
  name: string;
  version?: string;
  private?: boolean;
  desc?: string;
  exports: TestExport[];
  publishedAt?: Date;
}

/** Creates the namespace when missing, the package, a version with its exports, and makes it the latest. Returns the package id. */
export async function addTestPackage(p: TestPackage): Promise<string> {
  const ns = await db().namespace.upsert({ where: { name: p.namespace }, create: { name: p.namespace, ownerId: p.ownerId ?? null }, update: {} });
  const pkg = await db().package.upsert({
    where: { namespaceId_name: { namespaceId: ns.id, name: p.name } },
    create: { namespaceId: ns.id, name: p.name, private: p.private ?? false },
    update: {},
  });
  const version = p.version ?? "1.0.0";
  const row = await db().packageVersion.create({
    data: {
      packageId: pkg.id,
      version,
      manifest: { package: `${p.namespace}.${p.name}`, namespace: p.namespace, name: p.name, version, desc: p.desc ?? "", doc: "", tags: [], tools: [], modes: [], workflows: [] },
      dir: `/nonexistent/${randomBytes(4).toString("hex")}`,
      createdAt: p.publishedAt,
      exports: {
        create: p.exports.map((e) => ({
          kind: e.kind ?? "mode",
          qualified: e.qualified,
          name: e.qualified.split(".").pop()!,
          desc: e.desc ?? "",
          doc: e.doc ?? "",
          tags: e.tags ?? [],
          attck: e.attck ?? [],
          blackarch: e.blackarch ?? [],
        })),
      },
    },
  });
  await db().package.update({ where: { id: pkg.id }, data: { latestVersionId: row.id, ...(p.publishedAt ? { updatedAt: p.publishedAt } : {}) } });
  return pkg.id;
}
