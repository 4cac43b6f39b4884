import { lstat, mkdir } from "node:fs/promises";

/**
 * `dir`, made (0700) when missing, and checked to be a real directory: never a symbolic link
 * someone left in its place, which would send staged uploads elsewhere. Returns it.
 */
export async function ownDirectory(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a link or a file is in its place)`);
  return dir;
}
