import assert from "node:assert/strict";
import { test } from "node:test";
import { placeInLine } from "./queue-place.ts";

test("positions read as people say them", () => {
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(placeInLine), [
    "next in line", "2nd in line", "3rd in line", "4th in line", "11th in line", "12th in line", "13th in line",
    "21st in line", "22nd in line", "23rd in line", "101st in line", "111th in line", "112th in line",
  ]);
});
