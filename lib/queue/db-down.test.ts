import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors.ts";
import { isDatabaseDown, unavailableIfDown } from "./db-down.ts";

test("connection failures count as the database being down, failed queries do not", () => {
  const down = [
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5"), { code: "ECONNREFUSED" }),
    new Error("terminating connection due to administrator command"),
    Object.assign(new Error("x"), { code: "57P01" }),
    Object.assign(new Error("Can't reach database server"), { name: "PrismaClientInitializationError" }),
    new Error("wrapped", { cause: new Error("Connection terminated unexpectedly") }),
    Object.assign(new Error("connect ENOENT /data/pg/.s.PGSQL.5432"), { code: "ENOENT", syscall: "connect" }),
    Object.assign(new Error("connect ENOENT /data/pg/.s.PGSQL.5432"), { code: "ENOENT", name: "PrismaClientKnownRequestError" }),
    // a raw query (pg-boss's insert) when the server went mid-transaction, as Prisma 7's pg adapter reports it
    Object.assign(new Error("Raw query failed. Code: `N/A`. Message: `Server has closed the connection.`"), { code: "P2010", name: "PrismaClientKnownRequestError" }),
    Object.assign(new Error("Raw query failed."), { code: "P2010", name: "PrismaClientKnownRequestError", meta: { driverAdapterError: Object.assign(new Error("ConnectionClosed"), { name: "DriverAdapterError" }) } }),
  ];
  for (const e of down) assert.equal(isDatabaseDown(e), true, String(e));
  const notDown = [
    new Error('duplicate key value violates unique constraint "Run_pkey"'),
    Object.assign(new Error("ENOENT: no such file or directory, open '/data/packages/x.tar.gz'"), { code: "ENOENT", syscall: "open" }),
    Object.assign(new Error("x"), { code: "23505" }),
    // a raw query that failed on its own: P2010 with the driver's error a constraint, not the connection
    Object.assign(new Error("Raw query failed."), { code: "P2010", name: "PrismaClientKnownRequestError", meta: { driverAdapterError: Object.assign(new Error("UniqueConstraintViolation"), { name: "DriverAdapterError" }) } }),
    // a cycle of causes ends
    (() => {
      const a = new Error("a") as Error & { cause?: unknown };
      a.cause = new Error("b", { cause: a });
      return a;
    })(),
    null,
    "ECONNREFUSED as a plain string",
    42,
  ];
  for (const e of notDown) assert.equal(isDatabaseDown(e), false, String(e));
});

test("unavailableIfDown: a clear 503 for a database that is down, anything else unchanged", () => {
  const mapped = unavailableIfDown(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "no run was started");
  assert.ok(mapped instanceof AppError);
  assert.equal(mapped.code, "unavailable");
  assert.match(mapped.message, /no run was started/);
  const other = new Error("boom");
  assert.equal(unavailableIfDown(other, "x"), other);
  const app = new AppError("validation", "bad");
  assert.equal(unavailableIfDown(app, "x"), app);
});
