import { viewerFromRequest } from "../../../../../lib/api-auth.ts";
import { getPackage } from "../../../../../lib/catalog.ts";
import { handle } from "../../../../../lib/http.ts";

type Ctx = { params: Promise<{ ns: string; name: string }> };

/** A package with its versions and the manifest of `?version=` (default the latest). */
export const GET = handle<Ctx>(async (req, { params }) => {
  const { ns, name } = await params;
  const version = new URL(req.url).searchParams.get("version") ?? undefined;
  return Response.json(await getPackage(await viewerFromRequest(req), ns, name, version));
});
