import Link from "next/link";
import { AccountMenu } from "./account-menu.tsx";
import { MAIN_LINKS } from "./nav-links.ts";
import { PhoneMenu } from "./phone-menu.tsx";

export interface TopBarViewer {
  name: string;
  email: string;
  role: "user" | "admin";
}

/** The hub's top navigation: brand, main sections, search and the account menu; below `md` they fold into one menu. */
export function TopBar({ viewer }: { viewer: TopBarViewer | null }) {
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-800 bg-zinc-900 text-zinc-100">
      <nav aria-label="Main" className="relative mx-auto flex h-12 max-w-7xl items-center gap-5 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold text-white hover:no-underline">
          <span aria-hidden className="grid size-6 place-items-center rounded bg-accent-600 text-xs font-bold">L</span>
          Levhub
        </Link>
        <div className="hidden items-center gap-5 md:flex">
          {MAIN_LINKS.map((l) => (
            <Link key={l.href} href={l.href} className="text-sm text-zinc-300 hover:text-white hover:no-underline">
              {l.label}
            </Link>
          ))}
        </div>
        <form action="/browse" role="search" className="ml-auto hidden lg:block">
          <label htmlFor="topbar-q" className="sr-only">Search packages</label>
          <input
            id="topbar-q"
            name="q"
            type="search"
            placeholder="Search packages…"
            className="w-64 rounded-md border border-zinc-700 bg-zinc-800 px-2.5 py-1 text-sm text-zinc-100 placeholder:text-zinc-400 focus:border-accent-600 focus:outline-none"
          />
        </form>
        <div className="ml-auto hidden md:block lg:ml-0">
          {viewer ? (
            <AccountMenu name={viewer.name} email={viewer.email} role={viewer.role} />
          ) : (
            <div className="flex items-center gap-2">
              <Link href="/signin" className="text-sm text-zinc-300 hover:text-white">Sign in</Link>
              <Link href="/signup" className="btn btn-primary py-1">Sign up</Link>
            </div>
          )}
        </div>
        <div className="ml-auto md:hidden">
          <PhoneMenu viewer={viewer} />
        </div>
      </nav>
    </header>
  );
}
