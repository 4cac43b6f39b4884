import "server-only";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { conflict, notFound, validation } from "../errors.ts";
import { audit } from "../platform/audit.ts";
import { newSecretToken, sha256Hex } from "./secret-token.ts";
import { assertAdmin } from "../access/assert-admin.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Viewer } from "../types.ts";

/**
 * Invite links for sign-up mode "invite": `/signup?invite=<token>`. Only the token's sha256 is
 * stored; a link works once, until it expires or an admin revokes it (which deletes it).
 */

const DAY = 24 * 3600_000;
export const INVITE_DAYS = { default: 7, max: 30 } as const;

export const createInviteSchema = z.object({
  note: z.string().trim().max(200, "at most 200 characters").default(""),
  days: z.coerce
    .number()
    .int("a whole number of days")
    .min(1, "at least 1 day")
    .max(INVITE_DAYS.max, `at most ${INVITE_DAYS.max} days`)
    .default(INVITE_DAYS.default),
});
export type CreateInviteInput = z.input<typeof createInviteSchema>;

export type InviteState = "pending" | "used" | "expired";

export interface InviteSummary {
  id: string;
  note: string;
  state: InviteState;
  createdAt: string;
  expiresAt: string;
  createdBy: string | null;
  usedAt: string | null;
  usedBy: string | null;
}

type InviteRow = { expiresAt: Date; usedAt: Date | null };

export function inviteState(row: InviteRow, now: Date): InviteState {
  if (row.usedAt) return "used";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

/** Why an invite token cannot be used, said to the person holding the link. */
export const INVITE_REFUSALS: Record<Exclude<InviteState, "pending"> | "unknown", string> = {
  unknown: "this invite link is not valid (it may have been revoked); ask an admin for a new one",
  used: "this invite link was used already; ask an admin for a new one",
  expired: "this invite link has expired; ask an admin for a new one",
};

export async function createInvite(admin: Viewer, input: CreateInviteInput, now = new Date()): Promise<{ token: string; invite: InviteSummary }> {
  assertAdmin(admin);
  const parsed = createInviteSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[i.path.join(".")] ??= i.message;
    throw validation("check the highlighted fields", fieldErrors);
  }
  const { note, days } = parsed.data;
  const token = newSecretToken();
  const row = await db().invite.create({
    data: { hash: sha256Hex(token), note, createdById: admin.id, expiresAt: new Date(now.getTime() + days * DAY) },
    select: inviteSelect,
  });
  await audit(admin.id, "invite.create", row.id, { note, days });
  return { token, invite: summary(row, now) };
}

export async function listInvites(admin: Viewer, now = new Date()): Promise<InviteSummary[]> {
  assertAdmin(admin);
  const rows = await db().invite.findMany({ select: inviteSelect, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map((r) => summary(r, now));
}

/** Deletes an unused invite, so its link stops working; a used one stays as a record. */
export async function revokeInvite(admin: Viewer, id: string): Promise<void> {
  assertAdmin(admin);
  const { count } = await db().invite.deleteMany({ where: { id, usedAt: null } });
  if (!count) {
    const row = await db().invite.findUnique({ where: { id }, select: { id: true } });
    if (!row) throw notFound("invite");
    throw conflict("this invite was used already; it cannot be revoked");
  }
  await audit(admin.id, "invite.revoke", id);
}

/**
 * A sign-up link for a token made elsewhere, in the caller's transaction: a project invite an
 * admin sends while sign-up is by invitation signs its recipient up with the same token (the same
 * machinery: `spendInvite` at sign-up, one account per link). Only the sha256 is stored.
 */
export async function recordInviteToken(tx: Prisma.TransactionClient, admin: Viewer, token: string, note: string, expiresAt: Date): Promise<void> {
  assertAdmin(admin);
  await tx.invite.create({ data: { hash: sha256Hex(token), note: note.slice(0, 200), createdById: admin.id, expiresAt } });
}

/** Withdraws a sign-up link made by `recordInviteToken`, when nobody used it yet. */
export async function dropInviteToken(tx: Prisma.TransactionClient, token: { hash: string }): Promise<void> {
  await tx.invite.deleteMany({ where: { hash: token.hash, usedAt: null } });
}

/** The state of the invite behind `token`, checked before a password is hashed. */
export async function inviteTokenState(token: string, now = new Date()): Promise<InviteState | "unknown"> {
  const row = await db().invite.findUnique({ where: { hash: sha256Hex(token) }, select: { expiresAt: true, usedAt: true } });
  return row ? inviteState(row, now) : "unknown";
}

/** Spends the invite for the new account inside the sign-up transaction; false when it was not usable. */
export async function spendInvite(tx: Prisma.TransactionClient, token: string, userId: string, now = new Date()): Promise<boolean> {
  const { count } = await tx.invite.updateMany({
    where: { hash: sha256Hex(token), usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now, usedById: userId },
  });
  return count === 1;
}

const inviteSelect = {
  id: true,
  note: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  createdBy: { select: { username: true } },
  usedBy: { select: { username: true } },
} as const;

type SelectedInvite = {
  id: string;
  note: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  createdBy: { username: string } | null;
  usedBy: { username: string } | null;
};

function summary(r: SelectedInvite, now: Date): InviteSummary {
  return {
    id: r.id,
    note: r.note,
    state: inviteState(r, now),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    createdBy: r.createdBy?.username ?? null,
    usedAt: r.usedAt?.toISOString() ?? null,
    usedBy: r.usedBy?.username ?? null,
  };
}
