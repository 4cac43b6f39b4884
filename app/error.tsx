"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <h1 className="h-page">Something went wrong</h1>
      <p className="mt-2 text-sm text-zinc-600">The hub could not show this page. The error was logged{error.digest ? ` as ${error.digest}` : ""}.</p>
      <button type="button" onClick={reset} className="btn mt-6">Try again</button>
    </div>
  );
}
