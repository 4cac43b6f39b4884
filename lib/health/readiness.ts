/**
 * What `/api/ready` answers, decided from the checks' results: pure, so the shape and the 503's
 * message are tested without any dependency. No secret ever goes in (the route is public).
 */

import { problem, type Problem } from "../errors.ts";

/** What a hub web process needs to serve runs, in the order the answer lists them. */
export const READY_COMPONENTS = ["database", "results", "queue", "workers"] as const;
export type ReadyComponent = (typeof READY_COMPONENTS)[number];

export interface CheckResult {
  status: "up" | "down";
  /** how long the check took */
  ms: number;
  /** why it is down ("no live worker", "no answer within 2000 ms") */
  detail?: string;
}

export interface Readiness {
  status: "ready" | "unavailable";
  components: Record<ReadyComponent, CheckResult>;
  /** the components that are down, in READY_COMPONENTS order */
  down: ReadyComponent[];
  /** `{code: "unavailable", message, problems}` when not ready: the one error shape clients already read (a problem per component down) */
  error?: { code: "unavailable"; message: string; problems: Problem[] };
}

export function readinessOf(components: Record<ReadyComponent, CheckResult>): Readiness {
  const down = READY_COMPONENTS.filter((c) => components[c].status === "down");
  if (!down.length) return { status: "ready", components, down };
  const problems = down.map((c) => problem("down", c, components[c].detail ?? "down"));
  const message = `not ready: ${problems.map((p) => `${p.where}: ${p.message}`).join("; ")}`;
  return { status: "unavailable", components, down, error: { code: "unavailable", message, problems } };
}

/** `p`, or a rejection named `TimeoutError` after `ms` (`p` itself is left to settle on its own). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: "TimeoutError" })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
