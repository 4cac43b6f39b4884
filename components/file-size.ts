/** A size in bytes as people read it: `12 bytes`, `1.5 KiB`, `64 MiB` (pure). */
export function fileSize(n: number): string {
  const one = (v: number) => (Math.round(v * 10) / 10).toString();
  if (n >= 1024 * 1024 * 1024) return `${one(n / (1024 * 1024 * 1024))} GiB`;
  if (n >= 1024 * 1024) return `${one(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${one(n / 1024)} KiB`;
  return n === 1 ? "1 byte" : `${n} bytes`;
}
