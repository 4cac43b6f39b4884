import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { ActionButton } from "../../../../components/action-problem.tsx";
import { InviteForm, InviteList } from "../../../../components/projects/invite-manager.tsx";
import { AddMemberForm, MemberTable } from "../../../../components/projects/member-manager.tsx";
import { ProjectForm } from "../../../../components/projects/project-form.tsx";
import { AddSecretForm, DevicesToggle, SecretNotice, SecretTable } from "../../../../components/projects/secret-manager.tsx";
import { listSecrets } from "../../../../lib/secrets/secrets.ts";
import { ScopeForm } from "../../../../components/projects/scope-form.tsx";
import { listProjectInvites } from "../../../../lib/projects/invites.ts";
import { getProject } from "../../../../lib/projects/projects.ts";
import { getProjectScope } from "../../../../lib/projects/scope.ts";
import { getViewer } from "../../../../lib/auth/session.ts";
import {
  addMemberAction,
  createProjectInviteAction,
  deleteProjectAction,
  removeMemberAction,
  revokeProjectInviteAction,
  setMemberRoleAction,
  setProjectScopeAction,
  updateProjectAction,
} from "../../../actions/projects.ts";
import { createSecretAction, deleteSecretAction, secretsOnDevicesAction, updateSecretAction } from "../../../actions/secrets.ts";
import { loadOr404 } from "../../../_lib/load.ts";

type Params = Promise<{ slug: string }>;

export const metadata: Metadata = { title: "Project settings" };

/** The origin the browser reached this hub at, for the invite links shown to copy. */
async function origin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}

/**
 * A project's settings, one section each: its details and authorised window, scope, members,
 * invites, secrets, deletion. Owners and admins only; anyone else finds no page here.
 */
export default async function ProjectSettingsPage({ params }: { params: Params }) {
  const { slug } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/settings`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  if (!project.rights.includes("manage")) notFound();
  const [invites, scope, secrets] = await Promise.all([project.personal ? [] : listProjectInvites(viewer, slug), getProjectScope(viewer, slug), listSecrets(viewer, slug)]);
  return (
    <div className="max-w-4xl space-y-6">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/projects">Projects</Link> <span aria-hidden>/</span> <Link href={`/projects/${slug}`}>{project.name}</Link> <span aria-hidden>/</span> settings
        </nav>
        <h1 className="h-page mt-1">Settings of {project.name}</h1>
        <p className="mt-1 text-sm">
          <Link href={`/projects/${slug}/notifications`}>Notifications: rules, send test, delivery log</Link>
        </p>
      </header>

      <section aria-labelledby="details-h" className="card space-y-3 p-4">
        <h2 id="details-h" className="h-section">Details and authorised window</h2>
        <p className="text-sm text-zinc-600">
          Runs start only inside the window; a queued run whose window closed is not started, a running one is stopped, and scheduled scans skip until it opens.
        </p>
        <ProjectForm
          action={updateProjectAction.bind(null, slug)}
          mode="edit"
          nameLocked={project.personal}
          initial={{ name: project.name, description: project.description, client: project.client, windowStart: project.windowStart, windowEnd: project.windowEnd }}
        />
      </section>

      <section aria-labelledby="scope-h" className="card space-y-3 p-4">
        <h2 id="scope-h" className="h-section">Scope</h2>
        <p className="text-sm text-zinc-600">
          The targets this project&apos;s runs may touch. Runs, re-runs and scheduled scans whose target parameters fall outside are refused, naming the target and the rule; leave every list empty for an unscoped project. The run&apos;s network does not block traffic yet: a tool that ignores its arguments is not stopped.
        </p>
        <ScopeForm action={setProjectScopeAction.bind(null, slug)} initial={scope} />
      </section>

      <section aria-labelledby="members-h" className="card space-y-3 p-4">
        <h2 id="members-h" className="h-section">Members</h2>
        {project.personal ? (
          <p className="text-sm text-zinc-600">A personal project has one member, you. Create a project to work with others.</p>
        ) : (
          <>
            <MemberTable members={project.members} setRoleAction={setMemberRoleAction.bind(null, slug)} removeAction={removeMemberAction.bind(null, slug)} />
            <p className="text-xs text-zinc-500">
              A project keeps at least one owner. A member removed or made a viewer has their scans here disabled (a scan runs as its creator), and their API tokens reach this project no more.
            </p>
            <AddMemberForm action={addMemberAction.bind(null, slug)} />
          </>
        )}
      </section>

      {!project.personal && (
        <section aria-labelledby="invites-h" className="card space-y-3 p-4">
          <h2 id="invites-h" className="h-section">Invites</h2>
          <p className="text-sm text-zinc-600">Invite someone by e-mail: the account with that address accepts the link and joins at the role given.</p>
          <InviteForm action={createProjectInviteAction.bind(null, slug)} origin={await origin()} />
          <InviteList invites={invites} revokeAction={revokeProjectInviteAction.bind(null, slug)} />
        </section>
      )}

      <section aria-labelledby="secrets-h" className="card space-y-3 p-4">
        <h2 id="secrets-h" className="h-section">Secrets</h2>
        <SecretNotice personal={project.personal} />
        <SecretTable
          secrets={secrets.map((secret) => ({ secret, updateAction: updateSecretAction.bind(null, slug, secret.id) }))}
          personal={project.personal}
          deleteAction={deleteSecretAction.bind(null, slug)}
        />
        <AddSecretForm action={createSecretAction.bind(null, slug)} personal={project.personal} />
        <DevicesToggle allowed={project.secretsOnDevices} action={secretsOnDevicesAction.bind(null, slug)} />
      </section>

      {!project.personal && (
        <section aria-labelledby="delete-h" className="card space-y-2 border-red-200 p-4">
          <h2 id="delete-h" className="h-section">Delete</h2>
          <p className="text-sm text-zinc-600">Only a project without runs or scans can be deleted: an engagement&apos;s records are kept.</p>
          <ActionButton action={deleteProjectAction.bind(null, slug)} fields={{}} ariaLabel={`Delete project ${project.slug}`} className="btn text-red-700">
            Delete project
          </ActionButton>
        </section>
      )}
    </div>
  );
}
