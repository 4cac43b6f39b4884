"use client";

import type { ProblemState } from "../lib/actions/safe-action.ts";
import type { WorkerCredentialSummary } from "../lib/queue/credentials.ts";
import { SecretField, SecretManager, type CreateSecretAction } from "./secret-manager.tsx";
import { formatTime } from "./time.ts";

/** Create worker credentials (the token shown once), list them, revoke them. */
export function WorkerCredentials({
  credentials,
  hubUrl,
  createAction,
  revokeAction,
}: {
  credentials: WorkerCredentialSummary[];
  hubUrl: string;
  createAction: CreateSecretAction;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  return (
    <SecretManager
      formLabel="Create a worker credential"
      createAction={createAction}
      submitLabel="Create credential"
      fields={(errors) => <SecretField id="worker-cred-name" name="name" label="Name" placeholder="the Docker host it is for" error={errors.name} />}
      shown={(c) => ({
        title: <>Credential &ldquo;{c.name}&rdquo; created. Copy the token now: it will not be shown again.</>,
        label: "New worker token",
        value: c.secret,
        note: (
          <p>
            On the Docker host: <code>LEVHUB_HUB_URL={hubUrl} LEVHUB_WORKER_TOKEN={c.secret.slice(0, 10)}… npm run worker</code>
          </p>
        ),
      })}
      tableLabel="Worker credentials"
      items={credentials}
      empty="No worker credentials yet."
      columns={[
        { header: "Name", cell: (c) => c.name },
        { header: "Token", cell: (c) => `${c.prefix}…`, className: "font-mono text-xs" },
        { header: "Created", cell: (c) => formatTime(c.createdAt), className: "text-xs tabular-nums" },
        { header: "Last used", cell: (c) => formatTime(c.lastUsedAt), className: "text-xs tabular-nums" },
      ]}
      revoke={{ action: revokeAction, label: (c) => `Revoke worker credential ${c.name}`, can: (c) => !c.revokedAt, revoked: () => <span className="badge">revoked</span> }}
    />
  );
}
