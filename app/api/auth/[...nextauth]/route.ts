import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { z } from "zod";
import { route } from "../../../../lib/api/route.ts";
import { authOptions } from "../../../../lib/auth/options.ts";

const nextAuth = NextAuth(authOptions);
const params = z.object({ nextauth: z.array(z.string().max(64)).min(1).max(4) });

/** next-auth's pages and JSON: providers, CSRF token, session, sign-out confirmation. */
export const GET = route({ access: "public", scope: null, summary: "next-auth: session, CSRF token, providers", params }, async ({ req, params }) =>
  nextAuth(req, { params: Promise.resolve(params) }),
);

/** Sign-in and sign-out: next-auth parses the form itself, from a copy holding only the capped bytes. */
export const POST = route({ access: "public", scope: null, summary: "next-auth: sign in, sign out", params, body: "raw" }, async ({ req, params, body }) => {
  const capped = new NextRequest(req.url, { method: req.method, headers: req.headers, body: new Uint8Array(body) });
  return nextAuth(capped, { params: Promise.resolve(params) });
});
