import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopBar } from "../components/top-bar.tsx";
import Link from "next/link";
import { getSessionState } from "../lib/auth/session.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Levhub", template: "%s · Levhub" },
  description: "Security tools and workflows as Leviathan packages",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const state = await getSessionState();
  const viewer = state.kind === "none" ? null : state.viewer;
  return (
    <html lang="en">
      <body className="min-h-screen">
        {/* the first thing a keyboard reaches: past the top bar's links to the page itself */}
        <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:shadow-lg">
          Skip to content
        </a>
        <TopBar viewer={viewer ? { name: viewer.username, email: viewer.email, role: state.kind === "signed_in" ? viewer.role : "user" } : null} />
        {state.kind === "must_enrol" && (
          <p role="alert" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">
            This hub requires two-factor sign-in for your account: <Link href="/settings/security">set it up</Link> to continue.
          </p>
        )}
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none">
          {children}
        </main>
      </body>
    </html>
  );
}
