import "server-only";
import pg from "pg";

interface FieldDescription {
  name: string;
  dataTypeID: number;
}

/**
 * One statement's rows as plain objects, read through a pg Submittable of its own rather than
 * pg's Query, for the cursor exports' FETCHes (cursor-export.ts). Through pg's Query, about a
 * third of everything a FETCH parsed survived V8's young-generation collections and was promoted:
 * a 1M-document NDJSON export promoted ~500 MB of garbage into the old generation and grew the
 * server by ~280 MB before a full collection freed it; the same FETCHes through this promote
 * nothing (docs/design/results.md, "The export's memory"). Values are parsed as pg's Query parses
 * them: pg's type parsers for text results, NULL as null.
 */
export function fetchRows<R extends pg.QueryResultRow>(client: pg.ClientBase, sql: string): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    let names: string[] = [];
    let parsers: Array<(text: string) => unknown> = [];
    let rows: R[] = [];
    let failed: Error | null = null;
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleRowDescription(msg: { fields: FieldDescription[] }) {
        names = msg.fields.map((f) => f.name);
        parsers = msg.fields.map((f) => pg.types.getTypeParser(f.dataTypeID, "text") as (text: string) => unknown);
      },
      handleDataRow(msg: { fields: Array<string | null> }) {
        if (failed) return;
        try {
          const row: Record<string, unknown> = {};
          for (let i = 0; i < names.length; i++) {
            const raw = msg.fields[i];
            row[names[i]] = raw === null ? null : parsers[i](raw);
          }
          rows.push(row as R);
        } catch (err) {
          failed = err as Error;
        }
      },
      handleCommandComplete() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleError(err: Error) {
        reject(err);
      },
      handleReadyForQuery() {
        const got = rows;
        rows = [];
        if (failed) reject(failed);
        else resolve(got);
      },
    };
    client.query(submittable as unknown as pg.Submittable);
  });
}
