/**
 * next-auth v4 carries only a string from `authorize` to the browser (`signIn()`'s `error`, or
 * `?error=` on the sign-in page), so the reasons a sign-in is refused travel as these codes.
 * Pure: the sign-in form imports it.
 */
const TOO_MANY = "TooManyAttempts";

/** The password was right; the account needs its second factor (the form then asks for the code). */
export const SECOND_FACTOR_NEEDED = "SecondFactorNeeded";
export const SECOND_FACTOR_WRONG = "SecondFactorWrong";

export function tooManyAttemptsCode(retryAfterMs: number): string {
  return `${TOO_MANY}_${Math.max(1, Math.ceil(retryAfterMs / 60_000))}`;
}

/** The sentence the sign-in form shows for an error code next-auth returned. */
export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  const m = new RegExp(`^${TOO_MANY}_(\\d{1,4})$`).exec(code);
  if (m) {
    const n = Number(m[1]);
    return `Too many sign-in attempts. Try again in ${n} minute${n === 1 ? "" : "s"}.`;
  }
  if (code === "CredentialsSignin") return "Email or password is wrong.";
  if (code === "SessionRequired") return "Sign in to continue.";
  if (code === SECOND_FACTOR_NEEDED) return "Enter the code from your authenticator app, or a recovery code.";
  if (code === SECOND_FACTOR_WRONG) return "That code is not right (or was used already). Enter the current code from your app, or a recovery code.";
  // next-auth's other codes (a misconfiguration, a broken callback) say nothing useful to a person
  return "Signing in failed. Please try again.";
}
