"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { accountLinks, MAIN_LINKS } from "./nav-links.ts";

/**
 * The top bar below the `md` breakpoint: one "Menu" button that opens every section, the search, the
 * account's own pages and sign-out (or sign-in), in a panel under the bar. It closes on navigation
 * and with Escape.
 */
export function PhoneMenu({ viewer }: { viewer: { name: string; email: string; role: "user" | "admin" } | null }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    // a link in the panel was followed: the new page starts with the panel closed
    setShownFor(pathname);
    setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("keydown", esc);
    return () => document.removeEventListener("keydown", esc);
  }, [open]);
  const item = "block rounded px-3 py-2 text-zinc-100 hover:bg-zinc-800 hover:no-underline";
  return (
    <div className="md:hidden">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="phone-menu"
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md border border-zinc-700 px-2.5 py-1 text-sm text-zinc-100 hover:bg-zinc-800"
      >
        <span aria-hidden className="text-base leading-none">{open ? "✕" : "☰"}</span>
        Menu
      </button>
      {open && (
        <div id="phone-menu" className="absolute inset-x-0 top-12 max-h-[calc(100dvh-3rem)] overflow-y-auto border-b border-zinc-800 bg-zinc-900 px-4 pb-4 shadow-lg">
          <form action="/browse" role="search" className="pt-3">
            <label htmlFor="phone-q" className="sr-only">Search packages</label>
            <input
              id="phone-q"
              name="q"
              type="search"
              placeholder="Search packages…"
              className="w-full rounded-md border border-zinc-700 bg-zinc-800 px-2.5 py-1.5 text-sm text-zinc-100 placeholder:text-zinc-400 focus:border-accent-600 focus:outline-none"
            />
          </form>
          <nav aria-label="Sections" className="mt-2 grid grid-cols-2 gap-1 text-sm">
            {MAIN_LINKS.map((l) => (
              <Link key={l.href} href={l.href} className={item} aria-current={pathname === l.href ? "page" : undefined}>
                {l.label}
              </Link>
            ))}
          </nav>
          <div className="mt-3 border-t border-zinc-800 pt-3 text-sm">
            {viewer ? (
              <>
                <p className="px-3 text-xs text-zinc-400">
                  Signed in as <span className="font-medium text-zinc-200">{viewer.name}</span>
                  {viewer.role === "admin" && " (admin)"}
                </p>
                <nav aria-label="Account" className="mt-1 grid grid-cols-2 gap-1">
                  {accountLinks(viewer.role)
                    .filter((l) => l.href !== "/runs")
                    .map((l) => (
                      <Link key={l.href} href={l.href} className={item}>
                        {l.label}
                      </Link>
                    ))}
                </nav>
                <button type="button" onClick={() => void signOut({ callbackUrl: "/" })} className={`${item} mt-1 w-full text-left`}>
                  Sign out
                </button>
              </>
            ) : (
              <div className="flex gap-2 px-3">
                <Link href="/signin" className="btn">Sign in</Link>
                <Link href="/signup" className="btn btn-primary">Sign up</Link>
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
