import { createReadStream, createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { BSON, MongoClient, type Document } from "mongodb";

const { EJSON } = BSON;
import type { BackupPart } from "../part.ts";

/**
 * Every collection of the hub's results database (MongoDB or FerretDB: there is no mongodump
 * here), streamed through the driver as canonical Extended JSON, one document a line, a file per
 * collection, with its indexes. Collection names are `|`-joined namespaces, so files are numbered
 * and `collections.json` maps them.
 */
const BATCH = 500;

interface CollectionEntry {
  name: string;
  file: string;
  documents: number;
  indexes: Document[];
}

async function connect(uri: string) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return client;
}

export const resultsStorePart: BackupPart = {
  name: "results-store",

  async dump(hub, dir) {
    const client = await connect(hub.mongoUri);
    const counts: Record<string, number> = {};
    const list: CollectionEntry[] = [];
    try {
      const db = client.db();
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith("system.")).sort();
      await mkdir(path.join(dir, "collections"), { recursive: true });
      for (const [i, name] of names.entries()) {
        const file = `collections/${String(i).padStart(5, "0")}.ejson`;
        const out = createWriteStream(path.join(dir, file));
        let n = 0;
        for await (const doc of db.collection(name).find({}, { batchSize: BATCH })) {
          if (!out.write(`${EJSON.stringify(doc, { relaxed: false })}\n`)) await once(out, "drain");
          n++;
        }
        out.end();
        await once(out, "close");
        const indexes = (await db.collection(name).listIndexes().toArray()).filter((ix) => ix.name !== "_id_");
        list.push({ name, file, documents: n, indexes });
        counts[name] = n;
      }
    } finally {
      await client.close();
    }
    writeFileSync(path.join(dir, "collections.json"), EJSON.stringify(list, { relaxed: false }));
    return counts;
  },

  async restore(hub, dir) {
    // relaxed: counts come back as numbers (canonical would make them Int32 objects); index keys need no more
    const list = EJSON.parse(readFileSync(path.join(dir, "collections.json"), "utf8"), { relaxed: true }) as CollectionEntry[];
    const client = await connect(hub.mongoUri);
    const counts: Record<string, number> = {};
    try {
      const db = client.db();
      const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith("system."));
      if (existing.length) throw new Error(`the results database ${db.databaseName} is not empty (${existing.length} collections): restore into a new one`);
      for (const entry of list) {
        const coll = db.collection(entry.name);
        await db.createCollection(entry.name);
        const rl = createInterface({ input: createReadStream(path.join(dir, entry.file)), crlfDelay: Infinity });
        let batch: Document[] = [];
        let n = 0;
        for await (const line of rl) {
          if (!line) continue;
          batch.push(EJSON.parse(line, { relaxed: false }) as Document);
          if (batch.length >= BATCH) {
            await coll.insertMany(batch, { ordered: true });
            n += batch.length;
            batch = [];
          }
        }
        if (batch.length) await coll.insertMany(batch, { ordered: true });
        n += batch.length;
        for (const ix of entry.indexes) {
          const { key, name, v: _v, ns: _ns, ...options } = ix as { key: Document; name: string; v?: unknown; ns?: unknown };
          await coll.createIndex(key, { ...options, name });
        }
        const stored = await coll.countDocuments();
        if (stored !== entry.documents || n !== entry.documents) throw new Error(`${entry.name}: ${stored} documents restored, the archive holds ${entry.documents}`);
        counts[entry.name] = n;
      }
    } finally {
      await client.close();
    }
    return counts;
  },
};
