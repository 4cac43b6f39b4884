import { StoreError, storeFailureIsTransient } from "../../runner/src/index.ts";
import { AppError, validation } from "../errors.ts";

/**
 * A failed results-store call as the hub answers a worker, classified by the runner's own
 * `storeFailureIsTransient` (the rule a run's document retries follow): a store that may answer
 * later is `unavailable` (503: the worker keeps the document and retries), a refusal is
 * `validation` (the worker hands the message to the package, no retry). AppErrors pass through.
 */
export function storeFailureError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (storeFailureIsTransient(err)) {
    return new AppError("unavailable", "the results database (MongoDB) does not answer; keep the document and try again", { cause: err });
  }
  if (err instanceof StoreError) return validation(err.message);
  return new AppError("validation", `the results database refused it: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
