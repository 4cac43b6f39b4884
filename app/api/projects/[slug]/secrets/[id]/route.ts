import { route } from "../../../../../../lib/api/route.ts";
import { removedSchema, secretViewSchema } from "../../../../../../lib/schemas/responses.ts";
import { secretParamsSchema, updateSecretBodySchema } from "../../../../../../lib/schemas/secrets.ts";
import { deleteSecret, updateSecret } from "../../../../../../lib/secrets/secrets.ts";

export const runtime = "nodejs";

/** Changes a secret's name, description, roles or value (owners and admins); a new value replaces the old, which is never shown. */
export const PATCH = route(
  { access: "user", scope: "run", summary: "change a project secret (owners); `value` replaces its value", params: secretParamsSchema, body: updateSecretBodySchema, response: secretViewSchema, errors: [409] },
  async ({ viewer, params, body }) => updateSecret(viewer, params.slug, params.id, body),
);

/** Deletes a secret (owners and admins); runs that bound it keep their reference to it. */
export const DELETE = route(
  { access: "user", scope: "run", summary: "delete a project secret (owners)", params: secretParamsSchema, response: removedSchema("deleted") },
  async ({ viewer, params }) => {
    await deleteSecret(viewer, params.slug, params.id);
    return { deleted: params.id };
  },
);
