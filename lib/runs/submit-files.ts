import "server-only";
import type { StagedFile } from "../api/multipart.ts";
import { discardUploads, uploadFile } from "../files/uploads.ts";
import { REF_KEY } from "../../runner/src/refs.ts";
import type { RunSummary, Viewer } from "../types.ts";
import { startRun, type RunInput } from "./submit.ts";
import { argField } from "./target-args.ts";
import { AppError } from "../errors.ts";

/**
 * A run whose request carried its files (`POST /api/runs` as multipart): each file is uploaded to
 * the run's project and put in the arguments as a reference, then the run starts the one way
 * (`startRun`). A refused run keeps none of the files it brought.
 */
export async function startRunWithFiles(viewer: Viewer, input: RunInput, files: readonly [string, StagedFile][]): Promise<RunSummary> {
  const args: Record<string, unknown> = { ...input.args };
  const made: string[] = [];
  try {
    for (const [param, staged] of files) {
      const file = await uploadFile(viewer, staged, { project: input.project }).catch((err: unknown) => {
        // the upload's own field is the parameter's here
        if (err instanceof AppError && err.fieldErrors?.file) throw new AppError(err.code, err.message, { fieldErrors: { [argField(param)]: err.fieldErrors.file } });
        throw err;
      });
      made.push(file.id);
      args[param] = { [REF_KEY]: "file", id: file.id };
    }
    return await startRun(viewer, { ...input, args });
  } catch (err) {
    // a database that fails here fails the run anyway; the collector removes what is left after its grace period
    await discardUploads(made).catch(() => undefined);
    throw err;
  }
}
