"use client";

import { useActionState } from "react";
import type { FavouriteTarget } from "../lib/schemas/favourites.ts";
import type { FavouriteState } from "../lib/types.ts";

export type FavouriteButtonState = { state: FavouriteState; error: string | null };
export type FavouriteAction = (prev: FavouriteButtonState, data: FormData) => Promise<FavouriteButtonState>;

/**
 * The star of a package, a function or an author: pressed when it is the viewer's favourite, with
 * how many users made it theirs. Without an action (signed out) it shows the count only.
 */
export function FavouriteButton({
  target,
  label,
  initial,
  action,
  small = false,
}: {
  target: FavouriteTarget;
  /** what the target is called, for the button's accessible name ("Favourite alice.nmap") */
  label: string;
  initial: FavouriteState;
  action: FavouriteAction | null;
  small?: boolean;
}) {
  const [now, formAction, pending] = useActionState(action ?? (async (s: FavouriteButtonState) => s), { state: initial, error: null });
  const { favourited, count } = now.state;
  const size = small ? "px-2 py-0.5 text-xs" : "";
  if (!action) {
    return (
      <span className={`badge gap-1 ${small ? "" : "py-1"}`} title={`${count} ${count === 1 ? "user has" : "users have"} made this a favourite`}>
        <span aria-hidden>☆</span>
        <span className="tabular-nums">{count}</span>
        <span className="sr-only">favourites</span>
      </span>
    );
  }
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      {"author" in target ? (
        <input type="hidden" name="author" value={target.author} />
      ) : (
        <>
          <input type="hidden" name="package" value={target.package} />
          {target.function && <input type="hidden" name="function" value={target.function} />}
        </>
      )}
      <input type="hidden" name="favourite" value={favourited ? "false" : "true"} />
      <button
        type="submit"
        aria-pressed={favourited}
        aria-label={`Favourite ${label}`}
        title={favourited ? "One of your favourites: press to remove it" : "Add to your favourites"}
        disabled={pending}
        className={`btn ${size} ${favourited ? "border-amber-300 bg-amber-50 text-amber-900 hover:bg-amber-100" : ""}`}
      >
        <span aria-hidden>{favourited ? "★" : "☆"}</span>
        <span aria-hidden>{favourited ? "Favourited" : "Favourite"}</span>
        <span className="rounded-full bg-zinc-100 px-1.5 text-xs tabular-nums text-zinc-700">{count}</span>
      </button>
      {now.error && <span role="alert" className="field-error">{now.error}</span>}
    </form>
  );
}
