import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { levhubHome } from "../src/config.ts";
import { nameFromHost, workerConfigFromEnv, WorkerConfigError } from "./config.ts";

const base = { LEVHUB_HUB_URL: "http://hub.example:3000/", LEVHUB_WORKER_TOKEN: "lwk_x", HOME: "/home/w" };

test("defaults and every variable read", () => {
  const c = workerConfigFromEnv({ ...base, LEVHUB_WORKER_NAME: "gpu-1", LEVHUB_WORKER_CAPACITY: "8", LEVHUB_WORKER_LABELS: " hostNetwork ", LEVHUB_WORKER_DATA_DIR: "/srv/w", LEVHUB_WORKER_WARM: "4" });
  assert.deepEqual(c, { hubUrl: "http://hub.example:3000", token: "lwk_x", name: "gpu-1", capacity: 8, labels: { hostNetwork: true }, dataDir: "/srv/w", warmContainers: 4 });
  const d = workerConfigFromEnv(base);
  assert.equal(d.capacity, 4);
  assert.equal(d.warmContainers, 0, "no warm pool unless asked for: it costs idle memory");
  assert.deepEqual(d.labels, { hostNetwork: false });
  assert.equal(d.dataDir, path.join(levhubHome(), "worker"));
  assert.match(d.name, /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  assert.deepEqual(workerConfigFromEnv({ ...base, LEVHUB_WORKER_LABELS: "hostNetwork=false" }).labels, { hostNetwork: false });
  // a worker on the hub's machine: HTTP over the hub's unix socket, no loopback
  assert.equal(workerConfigFromEnv({ ...base, LEVHUB_HUB_URL: "unix:/srv/levhub/run/hub.sock" }).hubUrl, "unix:/srv/levhub/run/hub.sock");
});

test("each bad value is a clear error naming its variable", () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ LEVHUB_HUB_URL: "" }, /^LEVHUB_HUB_URL is not set$/],
    [{ LEVHUB_HUB_URL: "hub:3000" }, /^LEVHUB_HUB_URL: 'hub:3000' is not http\(s\) or unix:\/path$/],
    [{ LEVHUB_HUB_URL: "unix:hub.sock" }, /^LEVHUB_HUB_URL: 'unix:hub.sock': a unix socket is unix:\/absolute\/path$/],
    [{ LEVHUB_HUB_URL: "not a url" }, /^LEVHUB_HUB_URL: 'not a url' is not a URL$/],
    [{ LEVHUB_WORKER_TOKEN: " " }, /^LEVHUB_WORKER_TOKEN is not set$/],
    [{ LEVHUB_WORKER_NAME: "-x" }, /^LEVHUB_WORKER_NAME: '-x' must be/],
    [{ LEVHUB_WORKER_NAME: "a b" }, /^LEVHUB_WORKER_NAME: 'a b' must be/],
    [{ LEVHUB_WORKER_CAPACITY: "0" }, /^LEVHUB_WORKER_CAPACITY: '0' is not a whole number from 1 to 256$/],
    [{ LEVHUB_WORKER_CAPACITY: "2.5" }, /^LEVHUB_WORKER_CAPACITY: '2.5'/],
    [{ LEVHUB_WORKER_CAPACITY: "257" }, /^LEVHUB_WORKER_CAPACITY: '257'/],
    [{ LEVHUB_WORKER_LABELS: "gpu" }, /^LEVHUB_WORKER_LABELS: unknown label 'gpu' \(known: hostNetwork\)$/],
    [{ LEVHUB_WORKER_LABELS: "hostNetwork=yes" }, /^LEVHUB_WORKER_LABELS: hostNetwork=yes: true or false$/],
    [{ LEVHUB_WORKER_WARM: "65" }, /^LEVHUB_WORKER_WARM: '65' is not a whole number from 0 to 64$/],
    [{ LEVHUB_WORKER_WARM: "-1" }, /^LEVHUB_WORKER_WARM: '-1'/],
    [{ LEVHUB_WORKER_WARM: "two" }, /^LEVHUB_WORKER_WARM: 'two'/],
  ];
  for (const [env, message] of bad) {
    assert.throws(() => workerConfigFromEnv({ ...base, ...env }), (err: unknown) => err instanceof WorkerConfigError && message.test(err.message), JSON.stringify(env));
  }
});

test("a host name becomes a valid worker name", () => {
  assert.equal(nameFromHost("build box.local"), "build-box.local");
  assert.equal(nameFromHost("__x"), "x");
  assert.equal(nameFromHost("***"), "worker");
  assert.equal(nameFromHost("a".repeat(100)).length, 64);
});
