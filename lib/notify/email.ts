import "server-only";
import nodemailer from "nodemailer";
import { decryptValue, encryptValue } from "../platform/secret-cipher.ts";
import { keyById, keyRing } from "../platform/secrets-key.ts";
import type { HubSettings } from "../platform/settings.ts";
import type { SendOutcome } from "./transport.ts";

/**
 * E-mail through the admin's SMTP server (HubSettings.notify.smtp). Its password is encrypted with
 * the secrets key like a project secret (the associated data names it), read only to send.
 * Recipients are checked when a rule is saved (lib/schemas/notify.ts) and the subject is one line
 * (format.ts), so nothing a scan found can add a header.
 */

export type SmtpSettings = NonNullable<HubSettings["notify"]["smtp"]>;

const SMTP_SECRET_ID = "notify-smtp-password";
export const SMTP_TIMEOUT_MS = 15_000;

export function encryptSmtpPassword(password: string): { ciphertext: string; keyId: string } {
  const { ciphertext, keyId } = encryptValue(keyRing({ fresh: true }).current, SMTP_SECRET_ID, password);
  return { ciphertext: ciphertext.toString("base64"), keyId };
}

function smtpPassword(smtp: SmtpSettings): string | undefined {
  if (!smtp.password) return undefined;
  const key = keyById(smtp.password.keyId);
  if (!key) throw new Error("the SMTP password was encrypted with a secrets key the hub no longer has: set it again");
  return decryptValue(key, SMTP_SECRET_ID, Buffer.from(smtp.password.ciphertext, "base64"));
}

export async function sendEmail(smtp: SmtpSettings | null, to: readonly string[], content: { subject: string; text: string }): Promise<SendOutcome> {
  if (!smtp) return { ok: false, retryable: false, statusCode: null, responseBytes: null, error: "no SMTP server is set up (Admin → Notifications)" };
  let pass: string | undefined;
  try {
    pass = smtpPassword(smtp);
  } catch (err) {
    return { ok: false, retryable: false, statusCode: null, responseBytes: null, error: (err as Error).message };
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    auth: smtp.user ? { user: smtp.user, pass: pass ?? "" } : undefined,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({ from: smtp.from, to: [...to], subject: content.subject, text: content.text, disableFileAccess: true, disableUrlAccess: true });
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ""))?.[1] ?? 250);
    return { ok: true, statusCode: code, responseBytes: 0 };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // 5xx is the server's final word on this message; anything else (4xx, the network) may pass later
    const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
    return { ok: false, retryable: !permanent, statusCode: e.responseCode ?? null, responseBytes: null, error: `SMTP: ${e.code ?? "error"}${e.responseCode ? ` ${e.responseCode}` : ""}` };
  } finally {
    transport.close();
  }
}
