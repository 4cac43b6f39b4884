import assert from "node:assert/strict";
import { test } from "node:test";
import type { ContainerEngine, EngineResource } from "./engine.ts";
import { createLabels, LABEL } from "./labels.ts";
import { reap } from "./reaper.ts";

test("reap removes containers before networks and keeps what `keep` protects", async () => {
  const resources: EngineResource[] = [
    { id: "c1", kind: "container", labels: createLabels("i1", "run-a", "tool", 1, "u") },
    { id: "c2", kind: "container", labels: createLabels("i1", "run-b", "workflow", 0, "u") },
    { id: "n1", kind: "network", labels: createLabels("i1", "run-a", "network") },
    { id: "v1", kind: "volume", labels: createLabels("i1", "run-a", "tool") },
  ];
  const order: string[] = [];
  const engine = {
    listManaged: async (filter: string[]) => {
      assert.deepEqual(filter, [`${LABEL.managed}=1`]);
      return resources;
    },
    remove: async (id: string) => void order.push(id),
    removeNetwork: async (id: string) => void order.push(id),
    removeVolume: async (id: string) => void order.push(id),
  } as unknown as ContainerEngine;
  const report = await reap(engine, (labels) => labels[LABEL.run] === "run-b");
  assert.deepEqual(report, { containers: 1, networks: 1, volumes: 1 });
  assert.deepEqual(order, ["c1", "n1", "v1"]);
});
