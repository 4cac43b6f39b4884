/** Requests about API tokens (settings page actions). */
import { z } from "zod";
import { tokenNameSchema } from "../accounts/tokens.ts";

export const createTokenInputSchema = z.object({ name: tokenNameSchema });
export const revokeTokenInputSchema = z.object({ id: z.string().min(1).max(64) });
