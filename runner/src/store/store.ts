import { MongoBulkWriteError, MongoClient, MongoServerError, type Db, type Document as MongoDoc } from "mongodb";

/** One task's document with where it goes, as `put` takes it (a batch of them: `putMany`). */
export interface StoredDocument {
  coll: string;
  job: number;
  task: number;
  fields: Record<string, unknown>;
  meta: StoredMeta;
}

/** Bookkeeping kept beside each stored result; never shown to package code. */
export interface StoredMeta {
  owner: string;
  run: string;
  job: number;
  task: number;
  package: string;
  at: Date;
}

export interface ResultStore {
  /** replaces the task's document (`_id: {job, task}`) with `fields` */
  put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<void>;
  /** merges `fields` into the task's document */
  merge(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<void>;
  findOne(
    coll: string,
    job: number,
    task: number,
    query: Record<string, unknown> | null,
    projection: Record<string, unknown> | null,
  ): Promise<Record<string, unknown> | null>;
  findRun(coll: string, job: number): Promise<Record<string, unknown>[]>;
  nextJob(): Promise<number>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  /** true when trying again later may succeed (the store is down), false when it never will */
  readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(message, options);
    this.name = "StoreError";
    this.transient = options?.transient ?? false;
  }
}

/**
 * Whether a failed store call may succeed later: a refusal (a StoreError that says so, or the
 * server answering with an error) never will; anything else (no connection, a timeout, a client
 * closed under it) may. The one classification of store failures: the runner retries a task's
 * document by it, and the hub answers a worker's store call `unavailable` (retry) or `validation`
 * (refused) by it.
 */
export function storeFailureIsTransient(err: unknown): boolean {
  if (err instanceof StoreError) return err.transient;
  if (err instanceof MongoServerError) return false;
  return true;
}

const META = "_lev";
const FORBIDDEN_OPERATORS = new Set(["$where", "$function", "$accumulator", "$expr"]);

/** Package code may pass queries; operators that run code on the server are refused. */
export function assertSafeQuery(value: unknown, path = "query"): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeQuery(v, `${path}[${i}]`));
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_OPERATORS.has(k)) throw new StoreError(`${path}: operator ${k} is not allowed`);
      if (k === META || k.startsWith(`${META}.`)) throw new StoreError(`${path}: field ${META} is reserved`);
      assertSafeQuery(v, `${path}.${k}`);
    }
  }
}

/** Field names Mongo cannot store are refused with the offending path, before anything is written. */
export function assertStorable(value: unknown, path = ""): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorable(v, `${path}[${i}]`));
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (k.startsWith("$")) throw new StoreError(`field '${p}' starts with '$', which MongoDB cannot store`);
      if (k.includes(".")) throw new StoreError(`field '${p}' contains '.', which MongoDB cannot store`);
      if (k.includes("\0")) throw new StoreError(`field '${p}' contains a NUL character`);
      if (!path && (k === "_id" || k === META)) throw new StoreError(`field '${k}' is reserved`);
      assertStorable(v, p);
    }
  }
}

function stripMeta(doc: MongoDoc, keepId: boolean): Record<string, unknown> {
  const { [META]: _meta, _id, ...rest } = doc;
  return keepId ? { _id, ...rest } : rest;
}

export class MongoResultStore implements ResultStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  static async connect(uri: string, dbName?: string): Promise<MongoResultStore> {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
    } catch (cause) {
      throw new StoreError(`cannot reach MongoDB at ${redact(uri)}: run \`npm run setup\` or set MONGODB_URI`, {
        cause,
        transient: true,
      });
    }
    return new MongoResultStore(client, client.db(dbName));
  }

  get database(): Db {
    return this.db;
  }

  /** Resolves when the server answers (readiness checks). */
  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    assertStorable(fields);
    const doc = { ...fields, [META]: meta };
    // A task's document is normally new: insert it. FerretDB cannot use its _id index for an
    // object-valued _id in a filter (a replace scans the collection), so the replace is only
    // the fallback for a document that already exists.
    try {
      await this.db.collection(coll).insertOne({ _id: { job, task }, ...doc } as MongoDoc);
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
      await this.db.collection(coll).replaceOne({ _id: { job, task } } as MongoDoc, doc, { upsert: true });
    }
  }

  /**
   * Several tasks' documents of one run, as many `put`s: one insert per collection for all of them
   * (unordered: each document stands alone), then a replace for each that already existed. A
   * failure other than an existing document throws; what was written stays written, and writing
   * the same documents again replaces them (each is keyed by `{job, task}`).
   */
  async putMany(docs: StoredDocument[]) {
    for (const d of docs) assertStorable(d.fields);
    const byColl = new Map<string, StoredDocument[]>();
    for (const d of docs) byColl.set(d.coll, [...(byColl.get(d.coll) ?? []), d]);
    for (const [coll, list] of byColl) {
      const c = this.db.collection(coll);
      try {
        await c.insertMany(
          list.map((d) => ({ _id: { job: d.job, task: d.task }, ...d.fields, [META]: d.meta }) as MongoDoc),
          { ordered: false },
        );
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err;
        for (const e of errors) {
          const d = list[e.index];
          await c.replaceOne({ _id: { job: d.job, task: d.task } } as MongoDoc, { ...d.fields, [META]: d.meta }, { upsert: true });
        }
      }
    }
  }

  async merge(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    assertStorable(fields);
    await this.db
      .collection(coll)
      .updateOne({ _id: { job, task } } as MongoDoc, { $set: { ...fields, [META]: meta } }, { upsert: true });
  }

  async findOne(
    coll: string,
    job: number,
    task: number,
    query: Record<string, unknown> | null,
    projection: Record<string, unknown> | null,
  ) {
    if (query) assertSafeQuery(query);
    const filter: MongoDoc = query && Object.keys(query).length ? { $and: [{ _id: { job, task } }, query] } : { _id: { job, task } };
    const doc = await this.db
      .collection(coll)
      .findOne(filter, projection && Object.keys(projection).length ? { projection } : {});
    if (!doc) return null;
    const keepId = Boolean(projection && projection._id);
    return stripMeta(doc, keepId);
  }

  async findRun(coll: string, job: number) {
    const docs = await this.db.collection(coll).find({ "_id.job": job }).sort({ "_id.task": 1 }).toArray();
    return docs.map((d) => stripMeta(d, true));
  }

  /**
   * A number no other call ever got. FerretDB's findOneAndUpdate is not atomic ($inc from several
   * connections at once hands out the same number), so each number is claimed by inserting it as
   * the `_id` of a document: the primary key lets exactly one insert win, the others try the next.
   * Numbers continue above the counter document older versions kept.
   */
  async nextJob(): Promise<number> {
    const taken = this.db.collection<{ _id: number }>("_levhub_job_numbers");
    const [legacy, last] = await Promise.all([
      this.db.collection<{ _id: string; seq: number }>("_levhub_jobs").findOne({ _id: "job" }),
      taken.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).next(),
    ]);
    let next = Math.max(legacy?.seq ?? 0, last?._id ?? 0) + 1;
    for (let attempt = 0; attempt < 1000; attempt++, next++) {
      try {
        await taken.insertOne({ _id: next });
        return next;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 11000) throw err;
      }
    }
    throw new StoreError("could not allocate a job number");
  }

  async close() {
    await this.client.close();
  }
}

export function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, "//***@");
}
