import "server-only";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { emailSchema } from "../schemas/email.ts";
import { conflict, notFound, zodFieldErrors, invalidFields } from "../errors.ts";
import { audit } from "../platform/audit.ts";
import { newSecretToken, sha256Hex } from "./secret-token.ts";
import { assertAdmin } from "../access/assert-admin.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { NewSecret, Viewer } from "../types.ts";

/**
 * Invite links for sign-up mode "invite": `/signup?invite=<token>`, each for one e-mail address
 * (the sign-up form shows it fixed and the account gets it). Only the token's sha256 is stored; a
 * link works once, until it expires or an admin revokes it (which deletes it).
 */

const DAY = 24 * 3600_000;
export const INVITE_DAYS = { default: 7, max: 30 } as const;

export const createInviteSchema = z.object({
  email: emailSchema("enter the e-mail address of the person you invite"),
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
  /** the account's e-mail; null for invites made before invites named one */
  email: string | null;
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

/**
 * An invite for one e-mail address. `admin` null: an operator with database access (`npm run
 * admin -- invite`). Refused for an address that has an account already.
 */
export async function createInvite(admin: Viewer | null, input: CreateInviteInput, now = new Date()): Promise<NewSecret<InviteSummary>> {
  if (admin) assertAdmin(admin);
  const parsed = createInviteSchema.safeParse(input);
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  const { email, note, days } = parsed.data;
  if (await db().user.findUnique({ where: { email }, select: { id: true } })) {
    throw invalidFields({ email: "an account with this e-mail exists already" });
  }
  const token = newSecretToken();
  const row = await db().invite.create({
    data: { hash: sha256Hex(token), email, note, createdById: admin?.id ?? null, expiresAt: new Date(now.getTime() + days * DAY) },
    select: inviteSelect,
  });
  await audit(admin?.id ?? null, "invite.create", row.id, { email, note, days, ...(admin ? {} : { by: "npm run admin" }) });
  return { token, item: summary(row, now) };
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
 * A sign-up link for a token made elsewhere, in the caller's transaction, for one e-mail: a project invite an
 * admin sends while sign-up is by invitation signs its recipient up with the same token (the same
 * machinery: `spendInvite` at sign-up, one account per link). Only the sha256 is stored.
 */
export async function recordInviteToken(tx: Prisma.TransactionClient, admin: Viewer, token: string, email: string, note: string, expiresAt: Date): Promise<void> {
  assertAdmin(admin);
  await tx.invite.create({ data: { hash: sha256Hex(token), email, note: note.slice(0, 200), createdById: admin.id, expiresAt } });
}

/** Withdraws a sign-up link made by `recordInviteToken`, when nobody used it yet. */
export async function dropInviteToken(tx: Prisma.TransactionClient, token: { hash: string }): Promise<void> {
  await tx.invite.deleteMany({ where: { hash: token.hash, usedAt: null } });
}

/** The state of the invite behind `token` and the e-mail it is for, checked before a password is hashed. */
export async function inviteTokenState(token: string, now = new Date()): Promise<{ state: InviteState | "unknown"; email: string | null }> {
  const row = await db().invite.findUnique({ where: { hash: sha256Hex(token) }, select: { expiresAt: true, usedAt: true, email: true } });
  return row ? { state: inviteState(row, now), email: row.email } : { state: "unknown", email: null };
}

/**
 * Spends the invite for the new account inside the sign-up transaction; false when it was not
 * usable, or is for another e-mail address.
 */
export async function spendInvite(tx: Prisma.TransactionClient, token: string, user: { id: string; email: string }, now = new Date()): Promise<boolean> {
  const userId = user.id;
  const { count } = await tx.invite.updateMany({
    where: { hash: sha256Hex(token), usedAt: null, expiresAt: { gt: now }, OR: [{ email: null }, { email: user.email }] },
    data: { usedAt: now, usedById: userId },
  });
  return count === 1;
}

const inviteSelect = {
  id: true,
  email: true,
  note: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  createdBy: { select: { username: true } },
  usedBy: { select: { username: true } },
} as const;

type SelectedInvite = {
  id: string;
  email: string | null;
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
    email: r.email,
    note: r.note,
    state: inviteState(r, now),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    createdBy: r.createdBy?.username ?? null,
    usedAt: r.usedAt?.toISOString() ?? null,
    usedBy: r.usedBy?.username ?? null,
  };
}
