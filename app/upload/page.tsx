import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { UploadForm } from "../../components/upload-form.tsx";
import { UPLOAD_LIMITS } from "../../lib/packages/upload.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { uploadPackageAction } from "../actions/upload-package.ts";

export const metadata: Metadata = { title: "Upload a package" };

export default async function UploadPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fupload");
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="h-page">Upload a package</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Your packages are published under the namespace <code className="font-semibold">{viewer.username}</code>
          {viewer.role === "admin" ? " (as an admin you may publish into any namespace)" : ""}. The hub imports the package inside a sandbox container to read its modes,
          workflows and parameters; nothing is published if it finds a problem. A published version cannot be changed.
        </p>
      </div>
      <UploadForm action={uploadPackageAction} maxBytes={UPLOAD_LIMITS.archiveBytes} />
      <section className="card p-4 text-sm text-zinc-600">
        <h2 className="h-section mb-2">Layout</h2>
        <pre className="overflow-x-auto rounded bg-zinc-50 p-3 font-mono text-xs text-zinc-800">{`${viewer.username}.mytool/
  pyproject.toml              [project] name = "lev.${viewer.username}.mytool", version = "0.1.0"
  lev/${viewer.username}/mytool/__init__.py   __lev__ = annot.meta([...])
  Dockerfile                  optional: built and pinned to this version`}</pre>
        <p className="mt-2">From a terminal: <code>lev upload ./{viewer.username}.mytool</code></p>
      </section>
    </div>
  );
}
