"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

/** The signed-in user's menu; sign-out posts to the sign-out URL it is given. */
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
        className="flex items-center gap-2 rounded-md px-2 py-1 text-sm text-zinc-200 hover:bg-zinc-800"
      >
        <span aria-hidden className="grid size-6 place-items-center rounded-full bg-zinc-700 text-xs font-semibold uppercase">{name.slice(0, 1)}</span>
        <span>{name}</span>
        <span className="sr-only">account menu</span>
      </button>
      {open && (
        <div role="menu" aria-label="Account" className="absolute right-0 mt-1 w-56 overflow-hidden rounded-md border border-zinc-200 bg-white py-1 text-sm text-zinc-800 shadow-lg">
          <div className="border-b border-zinc-100 px-3 py-2">
            <div className="font-medium">{name}</div>
            <div className="truncate text-xs text-zinc-500">{email}</div>
            {role === "admin" && <span className="badge mt-1">admin</span>}
          </div>
          <Link role="menuitem" href="/runs" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Your runs</Link>
          <Link role="menuitem" href="/favourites" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Favourites</Link>
          <Link role="menuitem" href="/settings/tokens" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">API tokens</Link>
          <Link role="menuitem" href="/settings/devices" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">My devices</Link>
          <Link role="menuitem" href="/settings/security" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Security</Link>
          {role === "admin" && (
            <Link role="menuitem" href="/admin/accounts" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Accounts</Link>
          )}
          {role === "admin" && (
            <Link role="menuitem" href="/admin/policy" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Policy</Link>
          )}
          {role === "admin" && (
            <Link role="menuitem" href="/admin/workers" className="block px-3 py-1.5 text-zinc-800 hover:bg-zinc-50 hover:no-underline">Workers</Link>
          )}
          <button role="menuitem" type="button" onClick={() => void signOut({ callbackUrl: "/" })} className="block w-full px-3 py-1.5 text-left hover:bg-zinc-50">
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
