/** Requests about notification rules (HTTP API, the CLI's shapes). */
import { z } from "zod";
import { PROJECT_EVENT_TYPE_LIST } from "../events/event-types.ts";
import { FINDING_SEVERITIES } from "./finding-vocabulary.ts";
import { projectSlugSchema } from "./projects.ts";

export const NOTIFY_CHANNELS = ["webhook", "slack", "email"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export const NOTIFY_LIMITS = { rulesPerScope: 50, emails: 10, urlChars: 2000, nameChars: 100 } as const;

export const notifyRuleParamsSchema = z.object({ slug: projectSlugSchema, id: z.string().min(1).max(64) });
export const myNotifyRuleParamsSchema = z.object({ id: z.string().min(1).max(64) });

const url = z
  .string()
  .trim()
  .max(NOTIFY_LIMITS.urlChars)
  .refine((u) => URL.canParse(u), "not a URL");

/** One address, nothing a header could be built from but the address: no display name, no line break. */
export const notifyEmailSchema = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/, "an e-mail address (name@example.org)");

const common = {
  name: z.string().trim().min(1, "a name is required").max(NOTIFY_LIMITS.nameChars),
  events: z.array(z.enum(PROJECT_EVENT_TYPE_LIST)).min(1, "at least one event").transform((e) => [...new Set(e)]),
  /** findings events only: at least one finding at or above it */
  minSeverity: z.enum(FINDING_SEVERITIES).nullable().default(null),
};

/** `POST /api/projects/{slug}/notifications`, `POST /api/me/notifications` */
export const createNotifyRuleBodySchema = z.discriminatedUnion("channel", [
  z.object({ ...common, channel: z.literal("webhook"), url }),
  z.object({ ...common, channel: z.literal("slack"), url }),
  z.object({ ...common, channel: z.literal("email"), emails: z.array(notifyEmailSchema).min(1).max(NOTIFY_LIMITS.emails) }),
]);
export type CreateNotifyRuleBody = z.infer<typeof createNotifyRuleBodySchema>;

export const deliveriesQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** `PUT /api/admin/notifications`: the allow-list and the SMTP server (password: null keeps it, "" removes it) */
export const notifySettingsBodySchema = z.object({
  allowHosts: z.array(z.string().trim().min(1).max(260).regex(/^[^\s/@]+$/, "a host or host:port")).max(50),
  smtp: z
    .object({
      host: z.string().trim().min(1).max(253),
      port: z.number().int().min(1).max(65535),
      security: z.enum(["starttls", "tls", "none"]),
      user: z.string().max(256).nullable(),
      password: z.string().max(1024).nullable(),
      from: notifyEmailSchema,
    })
    .nullable(),
});
export type NotifySettingsBody = z.infer<typeof notifySettingsBodySchema>;
