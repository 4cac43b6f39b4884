/**
 * Next.js calls `register()` once per server process: every hub web process runs the queue's
 * janitor (lost workers' runs end WorkerLost; one pass at a time in the whole hub, under an
 * advisory lock, so several processes are harmless). Only on the nodejs runtime.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { startJanitor } = await import("./lib/queue/janitor.ts");
  startJanitor();
  // debug sessions nobody watches end with their task, their worker or their idle timeout
  const { startDebugSweep } = await import("./lib/debug/sessions.ts");
  startDebugSweep();
}
