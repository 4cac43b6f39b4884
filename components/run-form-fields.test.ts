import { test } from "node:test";
import assert from "node:assert/strict";
import { runFormArgs } from "./run-form-fields.ts";

test("runFormArgs: text under arg.<name>, a file's reference under file.<name>; other fields and blank files left out", () => {
  const fd = new FormData();
  fd.append("arg.target", "127.0.0.1");
  fd.append("arg.note", " ");
  fd.append("file.words", "wordlist-0123456789ab");
  fd.append("file.other", "");
  fd.append("project", "team");
  fd.append("arg.upload", new File(["x"], "x.txt"));
  assert.deepEqual(runFormArgs(fd, { keepBlank: true }), { target: "127.0.0.1", note: " ", words: { $lev: "file", id: "wordlist-0123456789ab" } });
  assert.deepEqual(runFormArgs(fd, { keepBlank: false }), { target: "127.0.0.1", words: { $lev: "file", id: "wordlist-0123456789ab" } });
});
