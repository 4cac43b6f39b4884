/** What the results index answers with (DTOs: dates as ISO strings, ids as strings), inferred from the API's response schemas. */
import type { z } from "zod";
import type { collectionCountSchema, resultDocumentViewSchema, resultPageSchema, runCountSchema, topValueSchema } from "../schemas/responses.ts";

/** One document of the index: where it was stored and what it holds. */
export type ResultDocumentView = z.infer<typeof resultDocumentViewSchema>;

export type ResultPage = z.infer<typeof resultPageSchema>;

/** A collection the viewer may read, with their documents in it. */
export type CollectionCount = z.infer<typeof collectionCountSchema>;

export type TopValue = z.infer<typeof topValueSchema>;

export type RunCount = z.infer<typeof runCountSchema>;
