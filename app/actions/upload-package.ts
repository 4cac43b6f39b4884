"use server";

import { z } from "zod";
import type { UploadState } from "../../components/upload-form.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { publishArchive } from "../../lib/packages/upload.ts";
import { manifestWarnings } from "../../runner/src/index.ts";

const uploadInput = z.object({
  archive: z.instanceof(File, { message: "choose an archive to upload" }).refine((f) => f.size > 0, "the archive is empty"),
  /** "" (or absent): private when new, unchanged when the package exists */
  visibility: z.enum(["", "public", "private"]).optional(),
});

const upload = safeAction(uploadInput, async (input, viewer) =>
  publishArchive(
    viewer,
    { filename: input.archive.name, data: Buffer.from(await input.archive.arrayBuffer()) },
    { private: input.visibility === "private" ? true : input.visibility === "public" ? false : undefined },
  ),
);

/** Publishes an uploaded archive; on failure every problem lib found is listed. */
export async function uploadPackageAction(_prev: UploadState, data: FormData): Promise<UploadState> {
  const res = await upload({ archive: data.get("archive"), visibility: data.get("visibility") ?? undefined });
  if (!res.ok) {
    // the problems as lib found them (introspection's, the layout's, the Dockerfile's…), field errors beside them
    const fields = Object.entries(res.fieldErrors ?? {}).map(([k, v]) => ({ severity: "error" as const, where: k, code: "field", message: v }));
    return { status: "failed", message: res.error, problems: [...fields, ...(res.problems ?? [])] };
  }
  const p = res.data;
  return {
    status: "published",
    namespace: p.namespace,
    name: p.name,
    version: p.version,
    href: `/p/${p.namespace}/${p.name}?v=${encodeURIComponent(p.version)}`,
    private: p.private,
    warnings: manifestWarnings(p.manifest),
  };
}
