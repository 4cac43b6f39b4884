/** What pages, the API and the CLI get about secrets (dates as ISO strings; never a value). */
import type { z } from "zod";
import type { secretChoiceSchema, secretViewSchema } from "../schemas/responses.ts";

/** A secret as its project's members see it: its name and who may use it, never its value. */
export type SecretView = z.infer<typeof secretViewSchema>;

/** A secret the viewer may bind to a run (the run form's picker): its project's slug, or null for their own. */
export type SecretChoice = z.infer<typeof secretChoiceSchema>;
