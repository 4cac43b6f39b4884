import { expect, type APIRequestContext } from "@playwright/test";
import { TERMINAL_RUN_STATUSES } from "../../runner/src/status.ts";

/**
 * Runs the nmap example's port_os on `ip` (these ports only) through the API and waits for its
 * success. Specs scan only a target in a network namespace they create (lib/testing/netns-target.ts):
 * the scan runs on the run's own network, where 127.0.0.1 is the scanner's own container.
 */
export async function scanTarget(request: APIRequestContext, ip: string, ports: string): Promise<{ id: string; number: number }> {
  const res = await request.post("/api/runs", { data: { package: "szczecin.nmap_python", function: "nmap.port_os", args: { ip, ports } } });
  expect(res.status(), await res.text()).toBe(201);
  const run = (await res.json()) as { id: string; number: number };
  await expect
    .poll(async () => ((await (await request.get(`/api/runs/${run.id}`)).json()) as { status: string }).status, { timeout: 150_000, intervals: [1000] })
    .toMatch(new RegExp(`^(${TERMINAL_RUN_STATUSES.join("|")})$`));
  const done = (await (await request.get(`/api/runs/${run.id}`)).json()) as { status: string; error: unknown };
  expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
  return run;
}
