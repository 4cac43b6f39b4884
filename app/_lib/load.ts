import { notFound, redirect } from "next/navigation";
import { AppError } from "../../lib/errors.ts";

/**
 * Awaits a lib call for a page: a missing thing and a thing the viewer may not see both become
 * the same 404 (so a private package or someone else's run does not reveal that it exists);
 * a missing session goes to sign-in. Anything else reaches the error boundary.
 */
export async function loadOr404<T>(promise: Promise<T>, signInReturnTo = "/"): Promise<T> {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof AppError && (e.code === "not_found" || e.code === "forbidden")) notFound();
    if (e instanceof AppError && e.code === "unauthorized") redirect(`/signin?callbackUrl=${encodeURIComponent(signInReturnTo)}`);
    throw e;
  }
}

/** The first value of a search parameter. */
export function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A dynamic path segment as typed (`/runs/%2312` → `#12`); one that does not decode is kept as it is. */
export function pathSegment(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
