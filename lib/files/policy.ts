/**
 * Who may use a file and how long it is kept: pure decisions, unit-tested over every branch
 * (policy.test.ts); lib/files/ asks them, never compares by itself.
 */
import { formatBytes } from "../../runner/src/channel/log-sink.ts";
import type { ProjectRight } from "../access/project-roles.ts";

/**
 * Whether a viewer may reference (run with, read the metadata of) a file: they uploaded it, or it
 * belongs to a project where they may run (an operator, an owner, an admin). Anyone else finds no
 * such file: its id says nothing about whether it exists.
 */
export function mayReference(p: { viewerId: string; uploaderId: string | null; rightsInProject: readonly ProjectRight[] }): boolean {
  return p.uploaderId === p.viewerId || p.rightsInProject.includes("run");
}

/** How long an upload nothing references is kept: long enough to fill in a form, pick a schedule and submit. */
export const UPLOAD_GRACE_MS = 24 * 3600_000;

/**
 * Whether the collector removes an upload: no run and no saved scan references it, and it is older
 * than the grace period (a file uploaded for a form still being filled in stays).
 */
export function collectable(u: { createdAt: Date; runs: number; scans: number }, now: Date, graceMs = UPLOAD_GRACE_MS): boolean {
  return u.runs === 0 && u.scans === 0 && now.getTime() - u.createdAt.getTime() >= graceMs;
}

/** Why a file of `size` bytes is refused by the admin's cap on one file, or null. */
export function oversizeFile(name: string, size: number, maxBytes: number): string | null {
  return size > maxBytes ? `${name} is ${formatBytes(size)}, over the limit of ${formatBytes(maxBytes)} for one file (Admin → Policy)` : null;
}

/**
 * Why an upload would take a user past their quota, or null. The quota counts distinct contents
 * (what the hub's disk holds for them): uploading a file they already hold costs nothing.
 */
export function quotaRefusal(p: { used: number; size: number; quota: number; alreadyHeld: boolean }): string | null {
  if (p.alreadyHeld || p.used + p.size <= p.quota) return null;
  return `your files already take ${formatBytes(p.used)} of your ${formatBytes(p.quota)}; this one (${formatBytes(p.size)}) does not fit. Files no run or scan uses are removed a day after their upload`;
}
