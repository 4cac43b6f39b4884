import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { databaseUrl } from "./config.ts";

export function createPrisma(url: string) {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
    // secrets never leave the database unless a query asks for them explicitly
    omit: { user: { passwordHash: true } },
  });
}

export type Db = ReturnType<typeof createPrisma>;

const g = globalThis as typeof globalThis & { __levhubPrisma?: Db };

/** The process's one Prisma client (kept on globalThis so Next's dev reloads reuse it). */
export function db(): Db {
  g.__levhubPrisma ??= createPrisma(databaseUrl());
  return g.__levhubPrisma;
}

export async function disconnectDb(): Promise<void> {
  if (g.__levhubPrisma) {
    const client = g.__levhubPrisma;
    g.__levhubPrisma = undefined;
    await client.$disconnect();
  }
}
