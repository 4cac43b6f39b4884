import { test } from "node:test";
import assert from "node:assert/strict";
import { signInErrorMessage, tooManyAttemptsCode } from "./sign-in-error.ts";

test("sign-in error codes travel through next-auth and become sentences", () => {
  assert.equal(tooManyAttemptsCode(14 * 60_000 + 1), "TooManyAttempts_15");
  assert.equal(tooManyAttemptsCode(1), "TooManyAttempts_1");
  assert.equal(signInErrorMessage("TooManyAttempts_15"), "Too many sign-in attempts. Try again in 15 minutes.");
  assert.equal(signInErrorMessage("TooManyAttempts_1"), "Too many sign-in attempts. Try again in 1 minute.");
  assert.equal(signInErrorMessage("CredentialsSignin"), "Email or password is wrong.");
  assert.equal(signInErrorMessage("TooManyAttempts_<script>"), "Signing in failed. Please try again.");
  assert.equal(signInErrorMessage("Configuration"), "Signing in failed. Please try again.");
  assert.equal(signInErrorMessage(undefined), null);
  assert.match(signInErrorMessage("SecondFactorNeeded")!, /code from your authenticator app/);
  assert.match(signInErrorMessage("SecondFactorWrong")!, /not right/);
});
