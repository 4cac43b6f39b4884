import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TokenManager } from "../../../components/token-manager.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { listTokens } from "../../../lib/accounts/tokens.ts";
import { createTokenAction } from "../../actions/create-token.ts";
import { revokeTokenAction } from "../../actions/revoke-token.ts";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fsettings%2Ftokens");
  const tokens = (await listTokens(viewer)).filter((t) => t.revokedAt === null);
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="h-page">API tokens</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Tokens let the <code>lev</code> CLI and scripts act as you (<code>Authorization: Bearer …</code>). Only a hash is stored: a token is shown once, when it is created.
        </p>
      </div>
      <TokenManager tokens={tokens} createAction={createTokenAction} revokeAction={revokeTokenAction} />
    </div>
  );
}
