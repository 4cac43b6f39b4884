import "server-only";
import { DockerodeEngine } from "../../runner/src/index.ts";

const g = globalThis as typeof globalThis & { __levhubEngine?: DockerodeEngine };

/** The process's Docker engine (dockerode reads DOCKER_HOST or uses the default socket). */
export function getEngine(): DockerodeEngine {
  g.__levhubEngine ??= new DockerodeEngine();
  return g.__levhubEngine;
}
