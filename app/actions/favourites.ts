"use server";

import { revalidatePath } from "next/cache";
import type { FavouriteButtonState } from "../../components/favourite-button.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { addFavourite, removeFavourite } from "../../lib/favourites/favourites.ts";
import { favouriteToggleSchema } from "../../lib/schemas/favourites.ts";

const toggle = safeAction(favouriteToggleSchema, (input, viewer) => (input.favourite ? addFavourite(viewer, input.target) : removeFavourite(viewer, input.target)));

const field = (data: FormData, name: string) => {
  const v = data.get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
};

/** Every favourite button (package pages and cards, function cards, author pages, the Favourites page): adds or removes one. */
export async function toggleFavouriteAction(prev: FavouriteButtonState, data: FormData): Promise<FavouriteButtonState> {
  const author = field(data, "author");
  const fn = field(data, "function");
  const target = author !== undefined ? { author } : { package: field(data, "package"), ...(fn !== undefined ? { function: fn } : {}) };
  const res = await toggle({ target, favourite: data.get("favourite") });
  if (!res.ok) return { state: prev.state, error: res.error };
  revalidatePath("/favourites");
  return { state: res.data, error: null };
}
