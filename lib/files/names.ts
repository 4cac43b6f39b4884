/**
 * A file's name as a user gave it, made fit to show (pure): only its last path segment (a browser
 * or client may send `C:\Users\…\words.txt` or `../../etc/passwd`), without control and format
 * characters (newlines, NUL, bidirectional overrides that make `txt.exe` read `exe.txt`), spaces
 * collapsed, at most 255 UTF-16 units without splitting a character; `file` when nothing is left.
 * The name is for display and for `levrt.File.name` only: nothing is ever stored under it.
 */
const MAX = 255;

export function displayName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? "";
  const clean = last
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/\s+/gu, " ")
    .trim();
  let out = "";
  for (const ch of clean) {
    if (out.length + ch.length > MAX) break;
    out += ch;
  }
  out = out.trim();
  return out === "" || out === "." || out === ".." ? "file" : out;
}
