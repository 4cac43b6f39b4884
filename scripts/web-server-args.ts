/**
 * How the web server's process (scripts/serve.ts) is started, by `npm start` (scripts/start.ts)
 * and by `npm run bench:hub` alike, so that the bench measures the process users run.
 *
 * V8 grows its young generation with the allocation rate, up to 64 MiB per semi-space on a
 * machine with this much memory (new space 128 MiB), and keeps it: a burst of catalog pages or a
 * streamed export left the server 100–180 MB larger for good (issue 22). Capped at
 * WEB_SERVER_SEMI_SPACE_MB it stays within 2 × that; short-lived garbage is scavenged more often.
 * `LEVHUB_WEB_SEMI_SPACE_MB` overrides it (1–256; what `bench:hub` compares).
 */
export const WEB_SERVER_SEMI_SPACE_MB = 16;

/**
 * How far V8 lets the old generation grow past what survived its last full collection before it
 * collects again: 1 + percent/100. Left to itself V8 picks up to 4× when collecting looks cheap,
 * and a burst of concurrent pages (whose objects live across scavenges and are promoted) left the
 * server with 285 MB of V8 heap "used", 190 MB of it garbage that only the idle memory reducer
 * freed, seconds later (issue 22). `LEVHUB_WEB_HEAP_GROWING_PERCENT` overrides it (10–300; 0 leaves it to V8, what `bench:hub` compares).
 */
export const WEB_SERVER_HEAP_GROWING_PERCENT = 50;

function wholeNumber(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return n;
}

export function webServerNodeArgs(env: Record<string, string | undefined> = process.env): string[] {
  const semiSpaceMb = wholeNumber(env, "LEVHUB_WEB_SEMI_SPACE_MB", WEB_SERVER_SEMI_SPACE_MB, 1, 256);
  const growingPercent = wholeNumber(env, "LEVHUB_WEB_HEAP_GROWING_PERCENT", WEB_SERVER_HEAP_GROWING_PERCENT, 0, 300);
  // V8 reads 0 as its own choice; 1–9 would collect the whole heap almost every time it grows
  if (growingPercent > 0 && growingPercent < 10) throw new Error(`LEVHUB_WEB_HEAP_GROWING_PERCENT=${growingPercent} is below 10 (0 leaves it to V8)`);
  return [`--max-semi-space-size=${semiSpaceMb}`, `--heap-growing-percent=${growingPercent}`];
}

/**
 * glibc malloc settings for the web server's process, unless the operator set them. Buffers of
 * 64 KiB and more (an export's pieces, socket reads) are mmapped and given back to the system when
 * freed, rather than left in malloc's heap after a streamed export (what V8 reports of its heap
 * and of external memory stayed far below the RSS); two arenas rather than 8 per core for the
 * threads (libuv's pool: zlib, fs).
 */
export function webServerEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return {
    MALLOC_MMAP_THRESHOLD_: env.MALLOC_MMAP_THRESHOLD_ ?? "65536",
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2",
  };
}
