import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopBar } from "../components/top-bar.tsx";
import { getViewer } from "../lib/auth/session.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Levhub", template: "%s · Levhub" },
  description: "Security tools and workflows as Leviathan packages",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await getViewer();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <TopBar viewer={viewer ? { name: viewer.username, email: viewer.email, role: viewer.role } : null} />
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
