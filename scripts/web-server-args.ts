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

export function webServerNodeArgs(env: Record<string, string | undefined> = process.env): string[] {
  const raw = env.LEVHUB_WEB_SEMI_SPACE_MB?.trim();
  const mb = raw ? Number(raw) : WEB_SERVER_SEMI_SPACE_MB;
  if (!Number.isInteger(mb) || mb < 1 || mb > 256) throw new Error(`LEVHUB_WEB_SEMI_SPACE_MB=${raw} is not a whole number of MiB from 1 to 256`);
  return [`--max-semi-space-size=${mb}`];
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
