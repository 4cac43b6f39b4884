import type { Metadata } from "next";
import Link from "next/link";
import { CodeBlock, SourceView } from "../../../../components/code-block.tsx";
import { EmptyState } from "../../../../components/empty-state.tsx";
import { FileTree } from "../../../../components/file-tree.tsx";
import { FunctionCard, type FunctionView } from "../../../../components/function-card.tsx";
import { InlineText, withoutFacts } from "../../../../components/inline-text.tsx";
import { PackageDependencies } from "../../../../components/package-dependencies.tsx";
import { PackageWarnings } from "../../../../components/package-warnings.tsx";
import { OfficialReview } from "../../../../components/official-mark.tsx";
import { RunsTable } from "../../../../components/runs-table.tsx";
import { Tabs } from "../../../../components/tabs.tsx";
import { formatTime } from "../../../../components/time.ts";
import { getPackage, listFiles, readSourceFile } from "../../../../lib/catalog/catalog.ts";
import { runsForPackage } from "../../../../lib/runs/index.ts";
import { getViewer } from "../../../../lib/auth/session.ts";
import { isAdmin } from "../../../../lib/access/permissions.ts";
import { PackageVisibility } from "../../../../components/package-visibility.tsx";
import { CategoryChip } from "../../../../components/category-chip.tsx";
import { PackageDeletion } from "../../../../components/package-deletion.tsx";
import { deletePackageAction } from "../../../actions/delete-package.ts";
import { setPackageVisibilityAction } from "../../../actions/package-visibility.ts";
import { markOfficialAction } from "../../../actions/mark-official.ts";
import { missingPrivileges } from "../../../../lib/policy/run-policy.ts";
import { NO_GRANT, type FileNode, type GrantedPrivileges } from "../../../../lib/types.ts";
import { manifestWarnings, type ManifestFunction } from "../../../../runner/src/index.ts";
import { loadOr404, one, type SearchParams } from "../../../_lib/load.ts";
import { FavouriteButton } from "../../../../components/favourite-button.tsx";
import { CommentThread } from "../../../../components/comment-thread.tsx";
import { Pagination } from "../../../../components/pagination.tsx";
import { functionFavourites } from "../../../../lib/favourites/favourites.ts";
import { commentCount, listComments } from "../../../../lib/comments/comments.ts";
import { COMMENT_LIMITS } from "../../../../lib/schemas/comments.ts";
import { toggleFavouriteAction } from "../../../actions/favourites.ts";
import { deleteCommentAction, editCommentAction, moderateCommentAction, postCommentAction } from "../../../actions/comments.ts";
import { categoryLabel, tacticLabel, toRunRow } from "../../../_lib/views.ts";
import { cache } from "react";

type Params = Promise<{ ns: string; name: string }>;
const TABS = ["intro", "versions", "source", "comments", "history"] as const;
type Tab = (typeof TABS)[number];

/** The package as the viewer sees it, once per request for the title and the page. */
const packageFor = cache(async (ns: string, name: string, version: string | undefined) => getPackage(await getViewer(), ns, name, version));

export async function generateMetadata({ params, searchParams }: { params: Params; searchParams: SearchParams }): Promise<Metadata> {
  const { ns, name } = await params;
  // a package the viewer may not see is a 404, its title too (never its name)
  const pkg = await loadOr404(packageFor(ns, name, one((await searchParams).v)));
  return { title: one((await searchParams).v) ? `${pkg.fullName} ${pkg.current.version}` : pkg.fullName };
}

function filePaths(nodes: FileNode[]): string[] {
  return nodes.flatMap((n) => (n.type === "file" ? [n.path] : filePaths(n.children ?? [])));
}

function toView(fn: ManifestFunction, all: Record<string, GrantedPrivileges>): FunctionView {
  const granted = all[fn.qualified] ?? NO_GRANT;
  return {
    name: fn.name,
    qualified: fn.qualified,
    kind: fn.kind,
    desc: fn.desc,
    description: fn.description,
    example: fn.example,
    params: fn.params,
    tags: fn.tags,
    privileges: fn.privileges,
    granted,
    missing: fn.privileges ? missingPrivileges(fn.privileges, granted) : null,
  };
}

export default async function PackagePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { ns, name } = await params;
  const sp = await searchParams;
  const requested = one(sp.v);
  const tab: Tab = (TABS as readonly string[]).includes(one(sp.tab) ?? "") ? (one(sp.tab) as Tab) : "intro";
  const viewer = await getViewer();
  const pkg = await loadOr404(packageFor(ns, name, requested));
  const version = pkg.current.version;
  const base = `/p/${ns}/${name}`;
  const q = (t: Tab, extra: Record<string, string> = {}) => {
    const s = new URLSearchParams({ ...(t === "intro" ? {} : { tab: t }), ...(requested ? { v: requested } : {}), ...extra }).toString();
    return s ? `${base}?${s}` : base;
  };
  const m = pkg.current.manifest;
  const runHref = (fn: ManifestFunction) => `${base}/run/${encodeURIComponent(fn.qualified)}${requested ? `?v=${encodeURIComponent(requested)}` : ""}`;
  // a mode exported through its tool module is listed under that tool, not twice
  const toolModes = new Set(m.tools.flatMap((t) => t.modes.map((f) => f.qualified)));
  const looseModes = m.modes.filter((f) => !toolModes.has(f.qualified));
  const fnCount = m.workflows.length + looseModes.length + toolModes.size;
  const [fnFavourites, comments] = await Promise.all([functionFavourites(viewer, pkg.id), commentCount(viewer, pkg.id)]);
  const favourite = viewer ? toggleFavouriteAction : null;
  const fnStar = (fn: ManifestFunction) => (
    <FavouriteButton target={{ package: pkg.fullName, function: fn.qualified }} label={`${pkg.fullName}.${fn.qualified}`} initial={fnFavourites[fn.qualified] ?? { favourited: false, count: 0 }} action={favourite} small />
  );

  return (
    <div className="space-y-5">
      <header>
        <div className="flex flex-wrap items-baseline gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            <span className="text-zinc-500">{pkg.namespace}.</span>
            {pkg.name}
          </h1>
          <span className="font-mono text-sm text-zinc-500">v{version}</span>
          {pkg.private && <span className="badge">private</span>}
          {requested && requested !== pkg.version && <span className="badge border-amber-200 bg-amber-50 text-amber-800">not the latest version</span>}
        </div>
        {pkg.desc && <p className="mt-1 text-zinc-600">{pkg.desc}</p>}
        <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
          <FavouriteButton target={{ package: pkg.fullName }} label={pkg.fullName} initial={{ favourited: pkg.favourited, count: pkg.favourites }} action={favourite} />
          {pkg.owner && (
            <span className="text-zinc-600">
              by <Link href={`/u/${encodeURIComponent(pkg.owner)}`}>{pkg.owner}</Link>
            </span>
          )}
        </div>
        <OfficialReview namespace={pkg.namespace} name={pkg.name} official={pkg.official} versions={pkg.versions} action={isAdmin(viewer) ? markOfficialAction : null} />
        {pkg.canPublish && <PackageVisibility namespace={pkg.namespace} name={pkg.name} isPrivate={pkg.private} action={setPackageVisibilityAction} />}
        <ul aria-label="Categories and tags" className="mt-2 flex flex-wrap gap-1.5 text-xs">
          {pkg.attck.map((c) => (
            <li key={`a-${c}`}>
              <CategoryChip family="attck" label={tacticLabel(c)} href={`/browse?tactic=${encodeURIComponent(c)}`} />
            </li>
          ))}
          {pkg.blackarch.map((c) => (
            <li key={`b-${c}`}>
              <CategoryChip family="blackarch" label={categoryLabel(c)} href={`/browse?category=${encodeURIComponent(c)}`} />
            </li>
          ))}
          {pkg.tags.map((t) => (
            <li key={`t-${t}`}>
              <Link href={`/browse?tag=${encodeURIComponent(t)}`} className="rounded border border-zinc-200 bg-white px-1.5 py-0.5 text-zinc-700">#{t}</Link>
            </li>
          ))}
        </ul>
      </header>

      <Tabs
        label="Package sections"
        active={tab}
        items={[
          { key: "intro", label: "Introduction", href: q("intro"), count: fnCount },
          { key: "versions", label: "Versions", href: q("versions"), count: pkg.versions.length },
          { key: "source", label: "Source", href: q("source") },
          { key: "comments", label: "Comments", href: q("comments"), count: comments },
          { key: "history", label: "History", href: q("history") },
        ]}
      />

      {tab === "intro" && (
        <div className="space-y-6">
          {m.doc && m.doc !== m.desc && (
            <p className="max-w-3xl whitespace-pre-line text-sm text-zinc-700">
              <InlineText text={m.doc} />
            </p>
          )}
          <PackageWarnings warnings={manifestWarnings(m)} />
          <PackageDependencies dependsOn={pkg.dependsOn} usedBy={pkg.usedBy} external={pkg.external} />
          {m.tools.map((tool) => (
            <section key={tool.module} aria-label={`Tool ${tool.name}`} className="space-y-3">
              <div className="card p-4">
                <h2 className="text-base font-semibold">
                  Tool <span className="font-mono">{tool.name}</span>
                </h2>
                {tool.desc && <p className="mt-1 text-sm text-zinc-600">{tool.desc}</p>}
                {Object.keys(tool.facts).length > 0 && (
                  <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                    {Object.entries(tool.facts).map(([k, v]) => (
                      <div key={k} className="contents">
                        <dt className="text-zinc-500">{k}</dt>
                        <dd className="break-all">{/^https?:\/\//.test(v) ? <a href={v} rel="noreferrer noopener" target="_blank">{v}</a> : v}</dd>
                      </div>
                    ))}
                  </dl>
                )}
                {withoutFacts(tool.doc, tool.facts) && withoutFacts(tool.doc, tool.facts) !== tool.desc && (
                  <p className="mt-3 whitespace-pre-line text-sm text-zinc-700">
                    <InlineText text={withoutFacts(tool.doc, tool.facts)} />
                  </p>
                )}
              </div>
              {tool.modes.map((fn) => (
                <FunctionCard key={fn.qualified} fn={toView(fn, pkg.granted)} runHref={runHref(fn)} actions={fnStar(fn)} />
              ))}
            </section>
          ))}
          {looseModes.length > 0 && (
            <section aria-labelledby="modes-h" className="space-y-3">
              <h2 id="modes-h" className="h-section">Modes</h2>
              {looseModes.map((fn) => (
                <FunctionCard key={fn.qualified} fn={toView(fn, pkg.granted)} runHref={runHref(fn)} actions={fnStar(fn)} />
              ))}
            </section>
          )}
          {m.workflows.length > 0 && (
            <section aria-labelledby="workflows-h" className="space-y-3">
              <h2 id="workflows-h" className="h-section">Workflows</h2>
              {m.workflows.map((fn) => (
                <FunctionCard key={fn.qualified} fn={toView(fn, pkg.granted)} runHref={runHref(fn)} actions={fnStar(fn)} />
              ))}
            </section>
          )}
          {fnCount === 0 && <EmptyState title="This package exports nothing runnable">Its <code>__lev__</code> names no mode or workflow.</EmptyState>}
          {pkg.current.buildLog && (
            <details className="card p-4">
              <summary className="cursor-pointer text-sm font-semibold">Image build log {pkg.current.imageRef && <code className="ml-2 text-xs font-normal">{pkg.current.imageRef}</code>}</summary>
              <CodeBlock code={pkg.current.buildLog} language="plaintext" label="Image build log" />
            </details>
          )}
        </div>
      )}

      {tab === "versions" && (
        <div className="card overflow-x-auto">
          <table className="table-dense">
            <caption className="sr-only">Versions of {pkg.fullName}</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Published</th>
                <th scope="col">Image</th>
              </tr>
            </thead>
            <tbody>
              {pkg.versions.map((v) => (
                <tr key={v.id}>
                  <td className="font-mono">
                    <Link href={`${base}?v=${encodeURIComponent(v.version)}`}>{v.version}</Link>
                    {v.version === pkg.version && <span className="badge ml-2">latest</span>}
                  </td>
                  <td className="text-xs tabular-nums">{formatTime(v.createdAt)}</td>
                  <td className="font-mono text-xs">{v.imageRef ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {tab === "versions" && pkg.canPublish && (
        <PackageDeletion namespace={pkg.namespace} name={pkg.name} versions={pkg.versions.map((v) => v.version)} action={deletePackageAction} />
      )}

      {tab === "source" && <SourceTab viewerNs={ns} name={name} version={version} file={one(sp.file)} hrefFor={(path) => q("source", { file: path })} />}

      {tab === "comments" && <CommentsTab page={Number(one(sp.page) ?? 1) || 1} />}

      {tab === "history" && <HistoryTab packageId={pkg.id} />}
    </div>
  );

  async function SourceTab({ viewerNs, name: pkgName, version: v, file, hrefFor }: { viewerNs: string; name: string; version: string; file: string | undefined; hrefFor: (p: string) => string }) {
    const nodes = await loadOr404(listFiles(viewer, viewerNs, pkgName, v));
    const paths = filePaths(nodes);
    const initPath = paths.find((p) => p.endsWith(`${viewerNs}/${pkgName}/__init__.py`));
    const selected = file && paths.includes(file) ? file : (initPath ?? paths.find((p) => p.endsWith(".py")) ?? paths[0] ?? null);
    const source = selected ? await loadOr404(readSourceFile(viewer, viewerNs, pkgName, v, selected)) : null;
    return (
      <div className="grid gap-4 md:grid-cols-[16rem_minmax(0,1fr)]">
        <div className="card max-h-[70vh] overflow-auto p-2">
          <FileTree paths={paths} selected={selected} hrefFor={hrefFor} />
        </div>
        <div className="card min-w-0 overflow-hidden">
          {source ? (
            <>
              <div className="flex items-center justify-between border-b border-zinc-200 bg-zinc-50 px-3 py-2 text-xs">
                <code className="font-semibold">{source.path}</code>
                <span className="text-zinc-500">{source.size} bytes</span>
              </div>
              {source.binary ? <p className="p-4 text-sm text-zinc-500">Binary file, not shown.</p> : <SourceView code={source.content} path={source.path} />}
            </>
          ) : (
            <p className="p-4 text-sm text-zinc-500">This version has no files.</p>
          )}
        </div>
      </div>
    );
  }

  async function CommentsTab({ page }: { page: number }) {
    const thread = await loadOr404(listComments(viewer, ns, name, page));
    const pageCount = Math.max(1, Math.ceil(thread.total / thread.pageSize));
    return (
      <div className="max-w-3xl">
        <CommentThread
          namespace={pkg.namespace}
          name={pkg.name}
          comments={thread.items}
          maxChars={COMMENT_LIMITS.bodyChars}
          signInHref={`/signin?callbackUrl=${encodeURIComponent(`${base}?tab=comments`)}`}
          actions={viewer ? { post: postCommentAction, edit: editCommentAction, remove: deleteCommentAction, moderate: isAdmin(viewer) ? moderateCommentAction : null } : null}
        />
        <Pagination page={thread.page} pageCount={pageCount} basePath={base} query={{ tab: "comments", v: requested }} />
      </div>
    );
  }

  async function HistoryTab({ packageId }: { packageId: string }) {
    if (!viewer) {
      return (
        <EmptyState title="Sign in to see your runs" action={<Link href={`/signin?callbackUrl=${encodeURIComponent(`${base}?tab=history`)}`} className="btn btn-primary">Sign in</Link>}>
          The history lists the runs of this package you started.
        </EmptyState>
      );
    }
    const runs = await runsForPackage(viewer, packageId);
    if (runs.length === 0) return <EmptyState title="You have not run this package yet">Open a mode or workflow on the Introduction tab and press Run.</EmptyState>;
    return <RunsTable runs={runs.map(toRunRow)} showOwner={viewer.role === "admin"} caption={`Your runs of ${pkg.fullName}`} />;
  }
}
