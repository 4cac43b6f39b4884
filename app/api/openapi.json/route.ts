import { openApiDocument } from "../../../lib/api/openapi.ts";
import { route } from "../../../lib/api/route.ts";
import { loadApiRoutes } from "./registry.ts";

let cached: Promise<object> | undefined;

export const GET = route({ access: "public", scope: null, summary: "the OpenAPI 3.1 document of this API, generated from the route declarations" }, async () => {
  // the routes are fixed once the server runs: build the document once
  cached ??= loadApiRoutes().then((routes) =>
    openApiDocument(routes, {
      title: "Levhub API",
      version: "1",
      description: "Runs Leviathan security-tool packages. Authenticate with `Authorization: Bearer <token>` (Settings → API tokens) or a browser session. Someone else's resources answer 404.",
    }),
  );
  return cached;
});
