/** What pages, the API and the CLI get about assets and findings (dates as ISO strings): the response schemas' types. */
import type { z } from "zod";
import type {
  assetRefViewSchema,
  findingChangeSchema,
  findingDetailSchema,
  findingEvidenceSchema,
  findingPageSchema,
  findingSummarySchema,
  hostDetailSchema,
  hostPageSchema,
  hostSummarySchema,
  servicePageSchema,
  serviceViewSchema,
  triageResultSchema,
} from "../schemas/responses.ts";

export type AssetRefView = z.infer<typeof assetRefViewSchema>;
export type HostSummary = z.infer<typeof hostSummarySchema>;
export type HostPage = z.infer<typeof hostPageSchema>;
export type HostDetail = z.infer<typeof hostDetailSchema>;
export type ServiceView = z.infer<typeof serviceViewSchema>;
export type ServicePage = z.infer<typeof servicePageSchema>;
export type FindingSummary = z.infer<typeof findingSummarySchema>;
export type FindingPage = z.infer<typeof findingPageSchema>;
export type FindingEvidenceView = z.infer<typeof findingEvidenceSchema>;
export type FindingChangeView = z.infer<typeof findingChangeSchema>;
export type FindingDetail = z.infer<typeof findingDetailSchema>;
export type TriageResult = z.infer<typeof triageResultSchema>;
