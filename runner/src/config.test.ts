import assert from "node:assert/strict";
import { test } from "node:test";
import { ferretdbSocket, mongoUri } from "./config.ts";

test("mongoUri defaults to FerretDB's unix socket under LEVHUB_HOME", () => {
  const saved = { ...process.env };
  try {
    delete process.env.MONGODB_URI;
    process.env.LEVHUB_HOME = "/srv/lev";
    assert.equal(ferretdbSocket(), "/srv/lev/ferretdb/ferretdb.sock");
    assert.equal(mongoUri(), "mongodb://%2Fsrv%2Flev%2Fferretdb%2Fferretdb.sock/levhub");
    assert.equal(mongoUri("t1"), "mongodb://%2Fsrv%2Flev%2Fferretdb%2Fferretdb.sock/t1");
  } finally {
    process.env = saved;
  }
});

test("mongoUri keeps a configured URI and swaps only its database", () => {
  const saved = { ...process.env };
  try {
    process.env.MONGODB_URI = "mongodb://u:p@db1:27017,db2:27017/prod?replicaSet=rs0";
    assert.equal(mongoUri(), process.env.MONGODB_URI);
    assert.equal(mongoUri("it_1"), "mongodb://u:p@db1:27017,db2:27017/it_1?replicaSet=rs0");
    process.env.MONGODB_URI = "mongodb://localhost";
    assert.equal(mongoUri("x"), "mongodb://localhost/x");
  } finally {
    process.env = saved;
  }
});
