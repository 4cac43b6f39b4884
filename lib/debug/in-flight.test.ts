import assert from "node:assert/strict";
import { test } from "node:test";
import { acquireInFlight, DEBUG_IN_FLIGHT, inFlight } from "./in-flight.ts";

const code = (e: unknown) => (e as { code?: string }).code;
const device = (credentialId: string) => ({ credentialId, device: { id: `dev-${credentialId}`, ownerId: "alice", name: "laptop" } });

test("a device holds at most its places; one more is 429 until one is released, once", () => {
  const laptop = device("cred-laptop");
  const releases = Array.from({ length: DEBUG_IN_FLIGHT.device }, () => acquireInFlight(laptop));
  assert.equal(inFlight("cred-laptop"), DEBUG_IN_FLIGHT.device);
  assert.throws(() => acquireInFlight(laptop), (e) => code(e) === "rate_limited" && /this device has 8 requests under way/.test((e as Error).message));
  assert.equal(inFlight("cred-laptop"), DEBUG_IN_FLIGHT.device, "a refused request takes no place");

  releases[0]();
  releases[0]();
  assert.equal(inFlight("cred-laptop"), DEBUG_IN_FLIGHT.device - 1, "releasing twice frees one place");
  const again = acquireInFlight(laptop);
  assert.equal(inFlight("cred-laptop"), DEBUG_IN_FLIGHT.device);
  for (const r of [again, ...releases.slice(1)]) r();
  assert.equal(inFlight("cred-laptop"), 0);
});

test("credentials count apart; a hub worker's credential has the larger limit", () => {
  const hub = { credentialId: "cred-hub", device: null };
  const held = Array.from({ length: DEBUG_IN_FLIGHT.device + 1 }, () => acquireInFlight(hub));
  const other = acquireInFlight(device("cred-other"));
  assert.equal(inFlight("cred-hub"), DEBUG_IN_FLIGHT.device + 1);
  assert.equal(inFlight("cred-other"), 1);
  const rest = Array.from({ length: DEBUG_IN_FLIGHT.hub - held.length }, () => acquireInFlight(hub));
  assert.throws(() => acquireInFlight(hub), (e) => code(e) === "rate_limited" && /this worker credential has 64/.test((e as Error).message));
  for (const r of [...held, ...rest, other]) r();
  assert.equal(inFlight("cred-hub"), 0);
  assert.equal(inFlight("cred-other"), 0);
});
