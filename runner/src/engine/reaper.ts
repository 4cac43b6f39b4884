import type { ContainerEngine } from "./engine.ts";
import { LABEL } from "./labels.ts";

export interface ReapReport {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Removes every runner-labelled container, network and volume for which `keep` is false.
 * Containers go first: a network cannot be removed while containers use it.
 */
export async function reap(
  engine: ContainerEngine,
  keep: (labels: Record<string, string>) => boolean,
): Promise<ReapReport> {
  const resources = await engine.listManaged([`${LABEL.managed}=1`]);
  const doomed = resources.filter((r) => !keep(r.labels));
  const report: ReapReport = { containers: 0, networks: 0, volumes: 0 };
  await Promise.all(
    doomed
      .filter((r) => r.kind === "container")
      .map(async (r) => {
        await engine.remove(r.id);
        report.containers++;
      }),
  );
  for (const r of doomed) {
    if (r.kind === "network") {
      await engine.removeNetwork(r.id);
      report.networks++;
    } else if (r.kind === "volume") {
      await engine.removeVolume(r.id);
      report.volumes++;
    }
  }
  return report;
}
