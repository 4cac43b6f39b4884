/** Requests about project secrets (HTTP API, server actions, the CLI's shapes). */
import { z } from "zod";
import { refIdSchema, SECRET_LIMITS, secretNameSchema } from "../../runner/src/index.ts";
import { SECRET_USER_ROLES } from "../access/secret-use.ts";
import { projectSlugSchema } from "./projects.ts";

export const secretParamsSchema = z.object({ slug: projectSlugSchema, id: refIdSchema });

/** A value as typed: kept exactly (a PEM's line breaks included), long enough to be masked reliably. */
export const secretValueSchema = z
  .string()
  .min(SECRET_LIMITS.valueMinChars, `at least ${SECRET_LIMITS.valueMinChars} characters: a shorter value cannot be masked in the output reliably`)
  .max(SECRET_LIMITS.valueChars, `at most ${SECRET_LIMITS.valueChars} characters`)
  .refine((v) => v.trim().length > 0, "a value is required");

const description = z.string().trim().max(SECRET_LIMITS.descriptionChars, `at most ${SECRET_LIMITS.descriptionChars} characters`);

/** Who may bind the secret to a run; a personal project's secrets are their owner's whatever this says. */
export const secretRolesSchema = z
  .array(z.enum(SECRET_USER_ROLES, { error: "roles are owner and operator" }))
  .min(1, "at least one role: owners, or owners and operators")
  .transform((roles) => [...new Set(roles)]);

/** `POST /api/projects/{slug}/secrets` */
export const createSecretBodySchema = z.object({
  name: secretNameSchema,
  value: secretValueSchema,
  description: description.default(""),
  roles: secretRolesSchema.default(["owner", "operator"]),
});
export type CreateSecretBody = z.infer<typeof createSecretBodySchema>;

/** `PATCH /api/projects/{slug}/secrets/{id}`: only the fields given change; `value` replaces the value */
export const updateSecretBodySchema = z
  .object({ name: secretNameSchema, value: secretValueSchema, description, roles: secretRolesSchema })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change: give name, value, description or roles")
  // the refinement above, as the OpenAPI document can say it
  .meta({ minProperties: 1 });
export type UpdateSecretBody = z.infer<typeof updateSecretBodySchema>;
