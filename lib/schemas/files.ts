/**
 * Requests about files given to runs (`levrt.File`): the upload, its id, and a run request that
 * carries its files as multipart parts. A file field is a `StagedFile` (lib/api/multipart.ts: the
 * part streamed to disk, counted and hashed), documented as binary like any `z.file()`.
 */
import { z } from "zod";
import { StagedFile } from "../api/multipart.ts";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { projectSlugSchema } from "./projects.ts";
import { packageRefSchema } from "./runs.ts";

/** A file part of a streamed upload. */
export const stagedFileSchema = (message: string) => z.file(message).pipe(z.custom<StagedFile>((v) => v instanceof StagedFile, message));

/** `POST /api/files` (multipart): `file`, and the project whose runs may use it (a slug; absent: the caller's personal project) */
export const uploadFileFormSchema = z.object({
  file: stagedFileSchema("the field 'file' must hold the file"),
  project: blankAsAbsent(projectSlugSchema, "a project where you may run; absent: your personal project"),
}).strict();

/** `/api/files/{id}`: a file's reference id (what run arguments hold) */
export const fileParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** The multipart field of a file parameter's part: `args.<parameter>`. */
export const FILE_PART = /^args\.([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * `POST /api/runs` as multipart: the run's fields as text (`package` and `version`, or `versionId`;
 * `function`; `project`; `device`), `args` as a JSON object, and each file parameter's file as a
 * part named `args.<parameter>`. Parsed into the JSON request's shape plus the files by parameter.
 */
export const startRunUploadSchema = z
  .object({
    package: blankAsAbsent(packageRefSchema),
    version: blankAsAbsent(z.string().max(64)),
    versionId: blankAsAbsent(z.string().min(1).max(64)),
    function: z.string().min(1).max(200),
    args: blankAsAbsent(z.string(), "the arguments as a JSON object; each file parameter's file is a part named args.<parameter> instead"),
    project: blankAsAbsent(projectSlugSchema),
    device: blankAsAbsent(z.string().min(1).max(64)),
  })
  .catchall(stagedFileSchema("a part other than the run's fields is a file parameter's file, named args.<parameter>"))
  .transform((body, ctx) => {
    const { package: pkg, version, versionId, function: fn, args: argsText, project, device, ...parts } = body;
    let args: Record<string, unknown> = {};
    if (argsText !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(argsText);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        ctx.addIssue({ code: "custom", path: ["args"], message: "must be a JSON object of parameter values" });
        return z.NEVER;
      }
      args = parsed as Record<string, unknown>;
    }
    const files: [string, StagedFile][] = [];
    for (const [key, file] of Object.entries(parts)) {
      const param = FILE_PART.exec(key)?.[1];
      if (!param) ctx.addIssue({ code: "custom", path: [key], message: "a file part is named args.<parameter>" });
      else if (Object.hasOwn(args, param)) ctx.addIssue({ code: "custom", path: [key], message: `given twice: in args and as a file` });
      else files.push([param, file]);
    }
    if ((pkg === undefined) === (versionId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["package"], message: "name the package (package, and version if not the latest) or the version (versionId)" });
    }
    if (ctx.issues.length) return z.NEVER;
    const where = { function: fn, args, project: project ?? null, device: device ?? null };
    return { run: versionId !== undefined ? { versionId, ...where } : { package: pkg!, version: version ?? null, ...where }, files };
  });
export type StartRunUpload = z.output<typeof startRunUploadSchema>;
