import "server-only";
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ProjectEventTypeName } from "./event-types.ts";

/**
 * Project events: what happened in a project that its members may want to hear of, written to an
 * outbox (`ProjectEvent`) in the same transaction as the change itself, so an event exists exactly
 * when its change does. The notifications read the outbox and mark what they delivered.
 *
 * A closed set of types, each with the schema of its data. Data carries counts and a capped
 * sample, never an unbounded list: one run may find ten thousand things.
 */

/** Items an event lists at most; `count` says how many there were. */
export const EVENT_SAMPLE = 50;

const run = z.object({ id: z.string(), number: z.number().int() });
const findingRef = z.object({ id: z.string(), title: z.string(), severity: z.string(), asset: z.string() });

export const PROJECT_EVENT_SCHEMAS = {
  /** a run saw services the project's inventory did not have */
  "assets.new_services": z.object({ run, count: z.number().int().min(1), services: z.array(z.object({ address: z.string(), port: z.number().int(), protocol: z.string(), service: z.string().nullable() })).max(EVENT_SAMPLE) }),
  /** a run found findings the project did not have */
  "finding.new": z.object({ run, count: z.number().int().min(1), findings: z.array(findingRef).max(EVENT_SAMPLE) }),
  /** a run saw findings again that were marked fixed before it started: they are new again */
  "finding.reopened": z.object({ run, count: z.number().int().min(1), findings: z.array(findingRef).max(EVENT_SAMPLE) }),
  /** a run ended failed (its own error, or the hub ended it) */
  "run.failed": z.object({ run: run.extend({ function: z.string(), package: z.string() }), error: z.object({ type: z.string(), message: z.string() }).nullable() }),
} as const satisfies Record<ProjectEventTypeName, z.ZodType>;

export type ProjectEventType = keyof typeof PROJECT_EVENT_SCHEMAS;
export const PROJECT_EVENT_TYPES = Object.keys(PROJECT_EVENT_SCHEMAS) as ProjectEventType[];
export type ProjectEventData<T extends ProjectEventType> = z.infer<(typeof PROJECT_EVENT_SCHEMAS)[T]>;
export type ProjectEventInput = { [T in ProjectEventType]: { projectId: string; type: T; data: ProjectEventData<T> } }[ProjectEventType];

type Tx = Pick<Prisma.TransactionClient, "projectEvent">;

/**
 * Records an event in the caller's transaction. Its data is checked against its type's schema:
 * a mismatch is a bug in the caller and fails the transaction, so no malformed event is ever read.
 */
export async function recordProjectEvent(tx: Tx, event: ProjectEventInput): Promise<void> {
  const data = PROJECT_EVENT_SCHEMAS[event.type].parse(event.data) as Prisma.InputJsonValue;
  await tx.projectEvent.create({ data: { projectId: event.projectId, type: event.type, data } });
}

/** A message cut to a length an event carries (a run's error may hold a traceback's worth). */
export function eventText(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
