import { route } from "../../../../../lib/api/route.ts";
import { secretListSchema, secretViewSchema } from "../../../../../lib/schemas/responses.ts";
import { projectParamsSchema } from "../../../../../lib/schemas/projects.ts";
import { createSecretBodySchema } from "../../../../../lib/schemas/secrets.ts";
import { createSecret, listSecrets } from "../../../../../lib/secrets/secrets.ts";

export const runtime = "nodejs";

/** The project's secrets by name and who may use them (every member); never a value. */
export const GET = route(
  { access: "user", scope: "read", summary: "list a project's secrets (names, never values)", params: projectParamsSchema, response: secretListSchema },
  async ({ viewer, params }) => ({ secrets: await listSecrets(viewer, params.slug) }),
);

/** Adds a secret `{name, value, description?, roles?}` (owners and admins); the value is write-only from then on. */
export const POST = route(
  { access: "user", scope: "run", summary: "add a secret to a project (owners); its value is never shown again", params: projectParamsSchema, body: createSecretBodySchema, status: 201, response: secretViewSchema, errors: [409] },
  async ({ viewer, params, body }) => createSecret(viewer, params.slug, body),
);
