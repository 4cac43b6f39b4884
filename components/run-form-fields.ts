/**
 * How the run form names its fields (pure, no "use client": the server actions read the same
 * names): a parameter's text under `arg.<name>`, a file parameter's uploaded file — its reference
 * id — under `file.<name>`.
 */
export const RUN_FIELD_PREFIX = "arg.";
export const FILE_FIELD_PREFIX = "file.";

/**
 * The arguments a run form sent: text values as typed (lib checks and converts them, the one way)
 * and each file parameter's file as a reference (`{"$lev": "file", "id"}`). `keepBlank: false`
 * leaves out empty fields (a saved scan keeps only what was filled in).
 */
export function runFormArgs(data: FormData, opts: { keepBlank: boolean }): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of data.entries()) {
    if (typeof value !== "string") continue;
    if (key.startsWith(RUN_FIELD_PREFIX)) {
      if (opts.keepBlank || value.trim() !== "") args[key.slice(RUN_FIELD_PREFIX.length)] = value;
    } else if (key.startsWith(FILE_FIELD_PREFIX) && value !== "") {
      args[key.slice(FILE_FIELD_PREFIX.length)] = { $lev: "file", id: value };
    }
  }
  return args;
}
