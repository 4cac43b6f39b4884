import "server-only";
import { z } from "zod";
import { adminEmail } from "./config.ts";
import { db } from "./db.ts";
import { AppError, validation } from "./errors.ts";
import { hashPassword, verifyPassword } from "./auth/password.ts";
import { audit } from "./audit.ts";
import type { Viewer } from "./types.ts";

/** A user name is also their namespace: `lev.<username>.<package>`, so it must be a Python identifier. */
export const USERNAME = /^[a-z][a-z0-9_]{1,31}$/;

/** Namespaces the hub itself publishes into (the examples); nobody can sign up with them. */
export const RESERVED_NAMESPACES = new Set(["levhub", "szczecin", "lev", "levrt", "admin", "root", "api", "system"]);

export const signUpSchema = z.object({
  email: z.string().trim().toLowerCase().email("enter a valid e-mail address").max(200),
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(USERNAME, "2–32 characters: lower-case letters, digits and _, starting with a letter")
    .refine((u) => !RESERVED_NAMESPACES.has(u), "this name is reserved"),
  password: z.string().min(8, "at least 8 characters").max(200),
  name: z.string().trim().max(100).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

const viewerSelect = { id: true, email: true, username: true, name: true, role: true } as const;

/** Creates the account and its namespace. The first account, or the one named by LEVHUB_ADMIN_EMAIL, is admin. */
export async function signUp(raw: SignUpInput): Promise<Viewer> {
  const parsed = signUpSchema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[i.path.join(".")] ??= i.message;
    throw validation("check the highlighted fields", fieldErrors);
  }
  const input = parsed.data;
  const passwordHash = await hashPassword(input.password);
  const user = await db().$transaction(async (tx) => {
    // serialises sign-ups so exactly one "first account" exists
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(72106)`;
    const fieldErrors: Record<string, string> = {};
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      fieldErrors.email = "an account with this e-mail already exists";
    }
    const taken =
      (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) ||
      (await tx.namespace.findUnique({ where: { name: input.username }, select: { id: true } }));
    if (taken) fieldErrors.username = "this name is taken";
    if (Object.keys(fieldErrors).length) throw validation("check the highlighted fields", fieldErrors);
    const first = (await tx.user.count()) === 0;
    const role = first || input.email === adminEmail() ? "admin" : "user";
    const created = await tx.user.create({
      data: { email: input.email, username: input.username, name: input.name || null, passwordHash, role },
      select: viewerSelect,
    });
    await tx.namespace.create({ data: { name: input.username, ownerId: created.id } });
    return created;
  });
  await audit(user.id, "user.signup", user.username, { role: user.role });
  return user;
}

export async function authenticate(email: string, password: string): Promise<Viewer | null> {
  const user = await db().user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { ...viewerSelect, passwordHash: true },
  });
  if (!user) {
    // same work either way, so timing does not tell whether the account exists
    await verifyPassword(password, "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  const { passwordHash: _hash, ...viewer } = user;
  return viewer;
}

export async function getUser(id: string): Promise<Viewer | null> {
  return db().user.findUnique({ where: { id }, select: viewerSelect });
}

export async function getUserByUsername(username: string): Promise<Viewer | null> {
  return db().user.findUnique({ where: { username }, select: viewerSelect });
}

export async function countUsers(): Promise<number> {
  return db().user.count();
}

export function assertAdmin(viewer: Viewer): void {
  if (viewer.role !== "admin") throw new AppError("forbidden", "admins only");
}
