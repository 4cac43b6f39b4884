import "server-only";
import type { NextAuthOptions } from "next-auth";
import credentialsModule from "next-auth/providers/credentials";
import { z } from "zod";
import { ensureAuthSecret } from "../platform/config.ts";
import { signInWithCredentials } from "../accounts/sign-in.ts";
import { KNOWN_DEVICE_COOKIE } from "../accounts/known-device.ts";
import { safeCallbackUrl } from "./callback-url.ts";
import { clientAddress } from "./client-address.ts";
import { RateLimitedError } from "../accounts/limits.ts";
import { SECOND_FACTOR_NEEDED, SECOND_FACTOR_WRONG, tooManyAttemptsCode } from "./sign-in-error.ts";
import { deviceCookieJar } from "./device-cookie.ts";

// a CommonJS module: Next's bundler hands over its default export, plain Node (the tests) the exports object
const CredentialsProvider =
  (credentialsModule as unknown as { default?: typeof credentialsModule }).default ?? credentialsModule;

const credentials = z.object({ email: z.string().trim().min(1).max(200), password: z.string().min(1).max(200), otp: z.string().max(64).optional() });

/** One cookie of a `Cookie` header, or null. */
function cookieValue(header: string | string[] | undefined, name: string): string | null {
  const text = Array.isArray(header) ? header.join("; ") : (header ?? "");
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * next-auth v4: e-mail + password, then the second factor for accounts that have one (the form
 * sends the code with the same e-mail and password once the first answer asked for it), JWT
 * sessions. A successful sign-in marks the browser as a known device of the account
 * (lib/accounts/known-device.ts). The token carries the user's session version
 * from sign-in; `getViewer` re-reads the user on each request and refuses a token older than the
 * user's current version, so role changes, "sign out everywhere" and deleted accounts take
 * effect at once.
 */
export const authOptions: NextAuthOptions = {
  secret: ensureAuthSecret(),
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  // errors (e.g. too many attempts) come back to the sign-in page as ?error=<code>
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "E-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" }, otp: { label: "Code", type: "text" } },
      async authorize(raw, req) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        try {
          const headers = req.headers ?? {};
          const outcome = await signInWithCredentials(parsed.data, {
            address: clientAddress(headers),
            deviceCookie: cookieValue((headers as Record<string, string | string[] | undefined>).cookie, KNOWN_DEVICE_COOKIE),
          });
          if (!outcome.ok) {
            if (outcome.reason === "credentials") return null;
            // next-auth hands an Error's message to the browser: these codes are what the form reads
            throw new Error(outcome.reason === "second_factor_needed" ? SECOND_FACTOR_NEEDED : SECOND_FACTOR_WRONG);
          }
          await deviceCookieJar.write(outcome.deviceCookie);
          const user = outcome.user;
          return { id: user.id, email: user.email, name: user.name ?? user.username, sessionVersion: user.sessionVersion };
        } catch (err) {
          if (err instanceof Error && (err.message === SECOND_FACTOR_NEEDED || err.message === SECOND_FACTOR_WRONG)) throw err;
          // next-auth hands an Error's message to the browser: only codes may travel, never internals
          if (err instanceof RateLimitedError) throw new Error(tooManyAttemptsCode(err.retryAfterMs));
          console.error("[levhub] sign-in failed:", err);
          throw new Error("SignInUnavailable");
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = user.sessionVersion;
      }
      return token;
    },
    async session({ session, token }) {
      if (token.uid && typeof token.sv === "number") {
        session.user = {
          id: token.uid,
          email: token.email ?? "",
          name: token.name ?? null,
          sessionVersion: token.sv,
        };
      }
      return session;
    },
    /** Only paths on the hub itself; anything else goes home. */
    async redirect({ url, baseUrl }) {
      return new URL(safeCallbackUrl(url, baseUrl), baseUrl).toString();
    },
  },
};
