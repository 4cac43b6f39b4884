"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { accountLinks } from "./nav-links.ts";

/** The signed-in user's menu (wide screens; the phone menu lists the same links); sign-out goes through next-auth. */
export function AccountMenu({ name, email, role }: { name: string; email: string; role: "user" | "admin" }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);
  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="flex max-w-48 items-center gap-2 rounded-md px-2 py-1 text-sm text-zinc-200 hover:bg-zinc-800"
      >
        <span aria-hidden className="grid size-6 shrink-0 place-items-center rounded-full bg-zinc-700 text-xs font-semibold uppercase">{name.slice(0, 1)}</span>
        <span className="truncate">{name}</span>
        <span className="sr-only">account menu</span>
      </button>
      {open && (
        <div role="menu" aria-label="Account" className="absolute right-0 mt-1 w-56 overflow-hidden rounded-md border border-zinc-200 bg-white py-1 text-sm text-zinc-800 shadow-lg">
          <div className="border-b border-zinc-100 px-3 py-2">
            <div className="truncate font-medium">{name}</div>
            <div className="truncate text-xs text-zinc-500">{email}</div>
            {role === "admin" && <span className="badge mt-1">admin</span>}
          </div>
          {accountLinks(role).map((l) => (
            <Link key={l.href + l.label} role="menuitem" href={l.href} className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">
              {l.label}
            </Link>
          ))}
          <button role="menuitem" type="button" onClick={() => void signOut({ callbackUrl: "/" })} className="block w-full px-3 py-1.5 text-left hover:bg-zinc-50">
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
