import "server-only";
import type { NextAuthOptions } from "next-auth";
import credentialsModule from "next-auth/providers/credentials";
import { z } from "zod";
import { ensureAuthSecret } from "../platform/config.ts";
import { audit } from "../platform/audit.ts";
import { authenticate } from "../accounts/users.ts";
import { safeCallbackUrl } from "./callback-url.ts";
import { clientAddress } from "./client-address.ts";
import { RateLimitedError } from "../accounts/limits.ts";
import { tooManyAttemptsCode } from "./sign-in-error.ts";

// a CommonJS module: Next's bundler hands over its default export, plain Node (the tests) the exports object
const CredentialsProvider =
  (credentialsModule as unknown as { default?: typeof credentialsModule }).default ?? credentialsModule;

const credentials = z.object({ email: z.string().trim().min(1).max(200), password: z.string().min(1).max(200) });

/**
 * next-auth v4: e-mail + password, JWT sessions. The token carries the user's session version
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
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, req) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        try {
          const user = await authenticate(parsed.data.email, parsed.data.password, { client: clientAddress(req.headers ?? {}) });
          return user ? { id: user.id, email: user.email, name: user.name ?? user.username, sessionVersion: user.sessionVersion } : null;
        } catch (err) {
          // next-auth hands an Error's message to the browser: only codes may travel, never internals
          if (err instanceof RateLimitedError) throw new Error(tooManyAttemptsCode(err.retryAfterMs));
          console.error("[levhub] sign-in failed:", err);
          throw new Error("SignInUnavailable");
        }
      },
    }),
  ],
  events: {
    async signIn({ user }) {
      await audit(user.id, "user.signin", null);
    },
  },
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
