import { AppError } from "../errors.ts";
import type { Viewer } from "../types.ts";

/** Admin-only lib functions check again, whatever their caller checked. */
export function assertAdmin(viewer: Viewer): void {
  if (viewer.role !== "admin") throw new AppError("forbidden", "only an admin may do this");
}
