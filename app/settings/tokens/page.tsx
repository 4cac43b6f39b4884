import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TokenManager } from "../../../components/token-manager.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { DEFAULT_TOKEN_SCOPES, listTokens, TOKEN_DAYS } from "../../../lib/accounts/tokens.ts";
import { grantableScopes, SCOPE_DESCRIPTIONS } from "../../../lib/access/scopes.ts";
import { publishableNamespaces } from "../../../lib/accounts/users.ts";
import { formatTime } from "../../../components/time.ts";
import { ActionButton } from "../../../components/action-problem.tsx";
import { createTokenAction } from "../../actions/create-token.ts";
import { dismissTokenNoticeAction } from "../../actions/dismiss-token-notice.ts";
import { renewTokenAction } from "../../actions/renew-token.ts";
import { revokeTokenAction } from "../../actions/revoke-token.ts";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fsettings%2Ftokens");
  const [all, namespaces] = await Promise.all([listTokens(viewer), publishableNamespaces(viewer)]);
  const tokens = all.filter((t) => t.revokedAt === null);
  const upgraded = tokens.filter((t) => t.migrationNotice);
  const options = {
    scopes: grantableScopes(viewer.role).map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope], checked: (DEFAULT_TOKEN_SCOPES as readonly string[]).includes(scope) })),
    days: TOKEN_DAYS.choices,
    defaultDays: TOKEN_DAYS.default,
    maxDays: TOKEN_DAYS.max,
    namespaces,
  };
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <div>
        <h1 className="h-page">API tokens</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Tokens let the <code>lev</code> CLI and scripts act as you (<code>Authorization: Bearer …</code>) with the scopes you give them, until they expire. Only a hash is stored: a
          token is shown once, when it is created.
        </p>
      </div>
      {upgraded.length > 0 && (
        <div role="note" aria-label="Tokens upgraded" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
          <p>
            Tokens now expire and carry scopes. Your older token{upgraded.length > 1 ? "s" : ""} {upgraded.map((t) => `“${t.name}”`).join(", ")} kept every scope you could use (
            {upgraded[0].scopes.join(", ")}) and expire{upgraded.length > 1 ? "" : "s"} on {formatTime(upgraded[0].expiresAt)} UTC. Renew them below, or replace them with tokens
            that have only the scopes they need.
          </p>
          <ActionButton action={dismissTokenNoticeAction} fields={{}} className="btn py-0.5 text-xs" ariaLabel="Got it">
            Got it
          </ActionButton>
        </div>
      )}
      <TokenManager tokens={tokens} options={options} createAction={createTokenAction} revokeAction={revokeTokenAction} renewAction={renewTokenAction} />
    </div>
  );
}
