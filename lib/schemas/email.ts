import { z } from "zod";

/**
 * An e-mail address as accounts and invites hold it: trimmed, lower-cased, at most 200 characters,
 * and within RFC 5321's limits (a local part of at most 64 octets, domain labels of at most 63),
 * which zod's pattern does not check but other validators of the OpenAPI `email` format do.
 */
export function emailSchema(message: string) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .email(message)
    .max(200)
    .refine((v) => {
      const at = v.lastIndexOf("@");
      return at <= 64 && v.slice(at + 1).split(".").every((label) => label.length <= 63);
    }, message);
}
