import "server-only";
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE_S } from "../accounts/known-device.ts";

/**
 * Where the known-device cookie is written: onto the sign-in's response, through Next's request
 * scope (next-auth's credentials callback has no response of its own to touch). Scoped to
 * next-auth's paths, the only requests that need it; HTTP only. Tests replace `write`.
 */
export const deviceCookieJar = {
  async write(value: string): Promise<void> {
    const { cookies } = await import("next/headers");
    const secure = (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
    (await cookies()).set(KNOWN_DEVICE_COOKIE, value, { httpOnly: true, sameSite: "lax", secure, path: "/api/auth", maxAge: KNOWN_DEVICE_MAX_AGE_S });
  },
};
