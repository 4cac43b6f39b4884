import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="font-mono text-sm text-zinc-400">404</p>
      <h1 className="h-page mt-1">Not found</h1>
      <p className="mt-2 text-sm text-zinc-600">This page does not exist, or you do not have access to it.</p>
      <p className="mt-6">
        <Link href="/" className="btn">Back to the hub</Link>
      </p>
    </div>
  );
}
