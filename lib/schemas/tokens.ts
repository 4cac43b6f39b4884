/** Requests about API tokens (settings page actions). */
import { z } from "zod";
import { createTokenSchema, tokenDaysSchema } from "../accounts/tokens.ts";

export const createTokenInputSchema = createTokenSchema;
export const revokeTokenInputSchema = z.object({ id: z.string().min(1).max(64) });
export const renewTokenInputSchema = z.object({ id: z.string().min(1).max(64), days: tokenDaysSchema });
export const dismissTokenNoticeInputSchema = z.object({});
