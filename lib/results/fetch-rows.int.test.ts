/**
 * fetchRows (the exports' FETCHes, read without pg's Query) gives the rows pg's Query gives, values
 * parsed alike, and PostgreSQL's refusals as the same structured errors, on the real engine.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { fetchRows } from "./fetch-rows.ts";

let hub: TestHub;
let client: pg.Client;

before(async () => {
  hub = await startTestHub();
  client = new pg.Client({ connectionString: hub.databaseUrl });
  await client.connect();
});

after(async () => {
  await client?.end();
  await hub?.close();
});

const SELECT = `SELECT g AS "n", 'row ' || g AS "text", g::bigint * 10000000000 AS "big", (g % 2 = 0) AS "even",
  timestamp '2026-12-07 15:13:00.123' + g * interval '1 second' AS "at", CASE WHEN g % 3 = 0 THEN NULL ELSE g END AS "sometimes",
  jsonb_build_object('i', g, 's', 'é"\\')::text AS "doc", jsonb_build_object('i', g, 'list', jsonb_build_array(g, 'x')) AS "data",
  ARRAY[g, g + 1] AS "pair" FROM generate_series(1, 25) g ORDER BY g`;

test("a cursor's rows through fetchRows equal pg's Query's, batch by batch, to the short last batch", async () => {
  await client.query("BEGIN READ ONLY");
  try {
    await client.query(`DECLARE ours NO SCROLL CURSOR FOR ${SELECT}`);
    await client.query(`DECLARE theirs NO SCROLL CURSOR FOR ${SELECT}`);
    const sizes: number[] = [];
    for (;;) {
      const rows = await fetchRows(client, "FETCH 10 FROM ours");
      const expected = (await client.query("FETCH 10 FROM theirs")).rows;
      assert.deepEqual(rows, expected);
      sizes.push(rows.length);
      if (rows.length < 10) break;
    }
    assert.deepEqual(sizes, [10, 10, 5]);
    const [first] = await fetchRows(client, "FETCH 1 FROM ours");
    assert.equal(first, undefined, "the cursor is at its end");
  } finally {
    await client.query("ROLLBACK");
  }
  const [row] = await fetchRows<{ at: Date; big: string; sometimes: number | null }>(client, `SELECT timestamp '2026-12-07 15:13:00.123' AS "at", 10000000000::bigint AS "big", NULL::int AS "sometimes"`);
  assert.ok(row.at instanceof Date, "timestamps parsed as pg parses them");
  assert.equal(row.big, "10000000000");
  assert.equal(row.sometimes, null);
});

test("PostgreSQL's refusal rejects with its SQL state, and the connection answers the next statement", async () => {
  await assert.rejects(fetchRows(client, "SELECT 1 / 0"), (err: Error & { code?: string }) => err.code === "22012");
  await assert.rejects(fetchRows(client, "FETCH 10 FROM no_such_cursor"), (err: Error & { code?: string }) => err.code === "34000");
  assert.deepEqual(await fetchRows(client, `SELECT 1 AS "one"`), [{ one: 1 }]);
});
