import Link from "next/link";
import { AccountMenu } from "./account-menu.tsx";

export interface TopBarViewer {
  name: string;
  email: string;
  role: "user" | "admin";
}

/** The hub's top navigation: brand, main sections and the account menu. */
export function TopBar({ viewer }: { viewer: TopBarViewer | null }) {
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-800 bg-zinc-900 text-zinc-100">
      <nav aria-label="Main" className="mx-auto flex h-12 max-w-7xl items-center gap-5 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold text-white hover:no-underline">
          <span aria-hidden className="grid size-6 place-items-center rounded bg-accent-600 text-xs font-bold">L</span>
          Levhub
        </Link>
        <Link href="/browse" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Browse</Link>
        <Link href="/projects" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Projects</Link>
        <Link href="/runs" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Runs</Link>
        <Link href="/scans" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Scans</Link>
        <Link href="/results" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Results</Link>
        <Link href="/upload" className="text-sm text-zinc-300 hover:text-white hover:no-underline">Upload</Link>
        <form action="/browse" role="search" className="ml-auto hidden md:block">
          <label htmlFor="topbar-q" className="sr-only">Search packages</label>
          <input
            id="topbar-q"
            name="q"
            type="search"
            placeholder="Search packages…"
            className="w-64 rounded-md border border-zinc-700 bg-zinc-800 px-2.5 py-1 text-sm text-zinc-100 placeholder:text-zinc-400 focus:border-accent-600 focus:outline-none"
          />
        </form>
        <div className="md:ml-0 ml-auto">
          {viewer ? (
            <AccountMenu name={viewer.name} email={viewer.email} role={viewer.role} />
          ) : (
            <div className="flex items-center gap-2">
              <Link href="/signin" className="text-sm text-zinc-300 hover:text-white">Sign in</Link>
              <Link href="/signup" className="btn btn-primary py-1">Sign up</Link>
            </div>
          )}
        </div>
      </nav>
    </header>
  );
}
