import "server-only";
import { Prisma } from "../generated/prisma/client.ts";
import type { PackageSummary } from "../types.ts";
import { cardsJsonSql, parseCards } from "./cards.ts";
import { catalogQuery } from "./pool.ts";

/**
 * Package cards for these ids, in this order (ids without a search row are left out), in one
 * statement. With a full-text query, `matches` lists the functions it matched.
 */
export async function summariesOf(ids: string[], tsquery: string | null = null): Promise<PackageSummary[]> {
  if (!ids.length) return [];
  const page = Prisma.sql`(SELECT x."id", x."ord" FROM unnest(${ids}::text[]) WITH ORDINALITY AS x("id", "ord"))`;
  const [row] = await catalogQuery<{ cards: string }>(Prisma.sql`SELECT ${cardsJsonSql(page, tsquery)} AS "cards"`);
  return parseCards(row.cards);
}
