import "server-only";
import { z } from "zod";
import { assertAdmin } from "../access/assert-admin.ts";
import { zodFieldErrors, invalidFields } from "../errors.ts";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/**
 * The address people and agents reach the hub at: what invite links and the device enrolment
 * command show. An admin may set it (Admin → Accounts); unset, it is the address the browser that
 * asks used, so a hub opened at http://10.0.0.5:3000 never hands out 127.0.0.1.
 */
export const publicUrlSchema = z
  .string()
  .trim()
  .max(300)
  .transform((s, ctx) => {
    if (!s) return null;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "a URL such as https://hub.example or http://10.0.0.5:3000" });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") ctx.addIssue({ code: "custom", message: "http:// or https://" });
    else if (url.username || url.password) ctx.addIssue({ code: "custom", message: "no user name or password in the URL" });
    else if (url.pathname !== "/" || url.search || url.hash) ctx.addIssue({ code: "custom", message: "the hub's origin only, without a path" });
    else return url.origin;
    return z.NEVER;
  });

/** The URL the request came to, as its browser wrote it (Host, or a proxy's X-Forwarded-Host/-Proto). */
export function urlFromHeaders(headers: Headers): string | null {
  const host = (headers.get("x-forwarded-host") ?? headers.get("host") ?? "").split(",")[0].trim();
  const proto = (headers.get("x-forwarded-proto") ?? "http").split(",")[0].trim();
  if (!host || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) || (proto !== "http" && proto !== "https")) return null;
  return `${proto}://${host}`;
}

/** The admin's public URL, else the one `headers` came to, else NEXTAUTH_URL's origin. */
export async function hubPublicUrl(headers: Headers): Promise<string> {
  const { publicUrl } = await getSettings();
  if (publicUrl) return publicUrl;
  const seen = urlFromHeaders(headers);
  if (seen) return seen;
  try {
    return new URL(process.env.NEXTAUTH_URL ?? "http://localhost:3000").origin;
  } catch {
    return "http://localhost:3000";
  }
}

/** An admin sets (or, with "", clears) the public URL. */
export async function setPublicUrl(admin: Viewer, raw: unknown): Promise<string | null> {
  assertAdmin(admin);
  const parsed = z.object({ publicUrl: publicUrlSchema }).safeParse({ publicUrl: raw });
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  await updateSettings({ publicUrl: parsed.data.publicUrl });
  await audit(admin.id, "settings.public_url", parsed.data.publicUrl);
  return parsed.data.publicUrl;
}
