import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { ensureAuthSecret } from "../config.ts";
import { audit } from "../audit.ts";
import { authenticate, getUser } from "../users.ts";

const credentials = z.object({ email: z.string().trim().min(1).max(200), password: z.string().min(1).max(200) });

/**
 * next-auth v4: e-mail + password, JWT sessions. The session's user is re-read from the database
 * on each request (see `getViewer`), so role changes and deleted accounts take effect at once.
 */
export const authOptions: NextAuthOptions = {
  secret: ensureAuthSecret(),
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "E-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        const viewer = await authenticate(parsed.data.email, parsed.data.password);
        return viewer ? { id: viewer.id, email: viewer.email, name: viewer.name ?? viewer.username } : null;
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
        const viewer = await getUser(user.id);
        if (viewer) {
          token.uid = viewer.id;
          token.username = viewer.username;
          token.role = viewer.role;
        }
      }
      return token;
    },
    async session({ session, token }) {
      if (token.uid) {
        session.user = {
          id: token.uid,
          email: token.email ?? "",
          username: token.username ?? "",
          name: token.name ?? null,
          role: token.role ?? "user",
        };
      }
      return session;
    },
  },
};
