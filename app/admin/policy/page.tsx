import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { listGrants } from "../../../lib/policy/grants.ts";
import { isAdmin } from "../../../lib/access/permissions.ts";
import { getPolicySettings } from "../../../lib/policy/policy-settings.ts";
import { formatImageAliases } from "../../../lib/schemas/image-settings.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { GRANT_NETWORKS, GRANTABLE_CAPS } from "../../../runner/src/policy/policy.ts";
import { grantPrivilegesAction } from "../../actions/grant-privileges.ts";
import { revokeGrantAction } from "../../actions/revoke-grant.ts";
import { updatePolicySettingsAction } from "../../actions/update-policy-settings.ts";
import { NUMBER_FIELDS, readPath, shown } from "./fields.ts";
import { GrantsEditor } from "./grants-editor.tsx";
import { PolicySettingsForm } from "./settings-form.tsx";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Policy");

/** Admins only; to anyone else the page does not exist. */
export default async function PolicyPage() {
  const viewer = await getViewer();
  if (!viewer || !isAdmin(viewer)) notFound();
  const [grants, settings] = await Promise.all([listGrants(viewer), getPolicySettings(viewer)]);
  const values = Object.fromEntries(NUMBER_FIELDS.map((f) => [f.path, shown(f, readPath(settings, f.path))]));
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <h1 className="h-page">Policy</h1>
        <p className="mt-1 text-sm text-zinc-600">
          What runs may do. A tool container gets no extra privilege unless a grant here covers the function that built it (a grant to its package or its namespace, for the functions it
          names); the runner checks at every task start.
        </p>
      </div>
      <section aria-labelledby="grants-h" className="space-y-2">
        <h2 id="grants-h" className="h-section">Grants</h2>
        <GrantsEditor grants={grants} caps={GRANTABLE_CAPS} networks={GRANT_NETWORKS} grantAction={grantPrivilegesAction} revokeAction={revokeGrantAction} />
      </section>
      <section aria-labelledby="settings-h" className="space-y-2">
        <h2 id="settings-h" className="h-section">Images, builds and limits</h2>
        <PolicySettingsForm
          baseImages={settings.baseImages}
          imageAliases={formatImageAliases(settings.imageAliases)}
          pullRegistries={settings.pullRegistries}
          buildNetwork={settings.buildNetwork}
          hostNetworkOnHubMachine={settings.hostNetworkOnHubMachine}
          debugEnabled={settings.debug.enabled}
          values={values}
          action={updatePolicySettingsAction}
        />
      </section>
    </div>
  );
}
