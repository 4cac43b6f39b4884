import "server-only";
/**
 * Files users give runs (`levrt.File`): an upload is a row with a random id — the reference run
 * arguments hold (`{"$lev": "file", "id"}`) — over a content-addressed blob (blob-store.ts).
 * Uploading needs the run right in the file's project (the viewer's personal project unless one is
 * named); using a file needs `mayReference` (policy.ts): its uploader, or whoever may run in its
 * project. Anyone else is told there is no such file, whatever its id.
 */
import { newRefId } from "../../runner/src/refs.ts";
import { db } from "../platform/db.ts";
import { audit } from "../platform/audit.ts";
import { getSettings } from "../platform/settings.ts";
import { AppError, notFound } from "../errors.ts";
import { rightsIn } from "../projects/access.ts";
import { projectToRunIn } from "../projects/run-project.ts";
import type { StagedFile } from "../api/multipart.ts";
import type { Viewer } from "../types.ts";
import { dropBlob, keepBlob } from "./blob-store.ts";
import { lockBlob, lockQuota } from "./locks.ts";
import { displayName } from "./names.ts";
import { mayReference, oversizeFile, quotaRefusal } from "./policy.ts";
import type { FileRefView, FileView } from "./types.ts";

const fileSelect = {
  id: true,
  name: true,
  size: true,
  sha256: true,
  createdAt: true,
  ownerId: true,
  projectId: true,
  owner: { select: { username: true } },
  project: { select: { slug: true, name: true, personal: true } },
} as const;

type FileRow = NonNullable<Awaited<ReturnType<typeof findFile>>>;

const findFile = (id: string) => db().fileUpload.findUnique({ where: { id }, select: fileSelect });

export function fileView(row: FileRow): FileView {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.createdAt.toISOString(),
    owner: row.owner?.username ?? null,
    project: row.project,
  };
}

/** A reference id as runs hold them: anything else names no file (and is never looked up). */
const REF_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Whether the viewer may reference this upload (policy.ts `mayReference`). */
async function referenceable(viewer: Viewer, row: { ownerId: string | null; projectId: string | null }): Promise<boolean> {
  if (row.ownerId === viewer.id) return true;
  const rights = row.projectId ? await rightsIn(viewer, row.projectId) : [];
  return mayReference({ viewerId: viewer.id, uploaderId: row.ownerId, rightsInProject: rights });
}

/**
 * Keeps a staged upload as a file of `project` (a slug; the viewer's personal project when absent),
 * where the viewer must be able to run. Refused (413) past the admin's cap on one file or the
 * viewer's quota; nothing is kept then. Returns the new file, whose `id` runs reference.
 */
export async function uploadFile(viewer: Viewer, staged: StagedFile, opts: { project?: string | null } = {}): Promise<FileView> {
  const project = await projectToRunIn(viewer, { slug: opts.project });
  const { files: caps } = await getSettings();
  const name = displayName(staged.name);
  const oversize = oversizeFile(name, staged.size, caps.maxBytes);
  if (oversize) throw new AppError("too_large", oversize, { fieldErrors: { file: oversize } });
  const id = newRefId();
  const row = await db().$transaction(
    async (tx) => {
      await lockQuota(tx, viewer.id);
      const [usage] = await tx.$queryRaw<{ used: bigint | null; held: boolean }[]>`
        SELECT sum(size) AS used, bool_or(sha256 = ${staged.sha256}) AS held
          FROM (SELECT DISTINCT ON (sha256) sha256, size FROM "FileUpload" WHERE "ownerId" = ${viewer.id}) AS mine`;
      const refusal = quotaRefusal({ used: Number(usage?.used ?? 0), size: staged.size, quota: caps.quotaBytes, alreadyHeld: usage?.held === true });
      if (refusal) throw new AppError("too_large", refusal, { fieldErrors: { file: refusal } });
      // the collector takes this lock before it removes a blob: the row and its blob appear together
      await lockBlob(tx, staged.sha256);
      await keepBlob(staged);
      return tx.fileUpload.create({ data: { id, ownerId: viewer.id, projectId: project.id, name, size: staged.size, sha256: staged.sha256 }, select: fileSelect });
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  await audit(viewer.id, "file.upload", row.id, { name, size: row.size, sha256: row.sha256, ...(project.asAdmin ? { asAdmin: true } : {}) }, { projectId: project.id });
  return fileView(row);
}

/** A file the viewer may reference; anyone else: not found, whether or not it exists. */
export async function getFile(viewer: Viewer, id: string): Promise<FileView> {
  const row = REF_ID.test(id) ? await findFile(id) : null;
  if (!row || !(await referenceable(viewer, row))) throw notFound("file");
  return fileView(row);
}

/**
 * The uploads `ids` name that the viewer may reference, by id; the others (someone else's,
 * removed, never made) are left out, so the caller answers them all alike.
 */
export async function referenceableFiles(viewer: Viewer, ids: readonly string[]): Promise<Map<string, FileView>> {
  const wanted = [...new Set(ids)].filter((id) => REF_ID.test(id));
  const rows = wanted.length ? await db().fileUpload.findMany({ where: { id: { in: wanted } }, select: fileSelect }) : [];
  const out = new Map<string, FileView>();
  for (const row of rows) if (await referenceable(viewer, row)) out.set(row.id, fileView(row));
  return out;
}

/** The files a run's arguments reference, as its page and its re-run form show them. */
export async function filesOfRun(runId: string): Promise<FileRefView[]> {
  const rows = await db().runFile.findMany({ where: { runId }, select: { file: { select: { id: true, name: true, size: true } } }, orderBy: { fileId: "asc" } });
  return rows.map((r) => r.file);
}

/** The files each saved scan's arguments reference, by scan id. */
export async function filesOfScans(scanIds: readonly string[]): Promise<Map<string, FileRefView[]>> {
  const rows = scanIds.length
    ? await db().scanFile.findMany({ where: { scanId: { in: [...scanIds] } }, select: { scanId: true, file: { select: { id: true, name: true, size: true } } }, orderBy: { fileId: "asc" } })
    : [];
  const out = new Map<string, FileRefView[]>(scanIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.scanId)?.push(r.file);
  return out;
}

/**
 * Removes uploads made for a request that then failed (a run refused after its files were taken):
 * each one still referenced by nothing, with its blob when no other upload names it. The request
 * changed nothing, so nothing is left of it.
 */
export async function discardUploads(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await db().$transaction(async (tx) => {
      const row = await tx.fileUpload.findUnique({ where: { id }, select: { sha256: true, _count: { select: { runs: true, scans: true } } } });
      if (!row || row._count.runs || row._count.scans) return;
      await lockBlob(tx, row.sha256);
      await tx.fileUpload.delete({ where: { id } });
      if ((await tx.fileUpload.count({ where: { sha256: row.sha256 } })) === 0) await dropBlob(row.sha256);
    });
  }
}
