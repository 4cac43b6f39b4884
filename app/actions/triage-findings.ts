"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { TriageState } from "../../components/findings/findings-table.tsx";
import { problemOf, safeAction } from "../../lib/actions/safe-action.ts";
import { triageFindings } from "../../lib/findings/triage.ts";
import { triageBodySchema } from "../../lib/schemas/findings.ts";
import { projectSlugSchema } from "../../lib/schemas/projects.ts";

const triage = safeAction(z.object({ slug: projectSlugSchema, triage: triageBodySchema }), (input, viewer) => triageFindings(viewer, input.slug, input.triage));

/** The findings page's bulk triage (and a finding page's): the chosen findings get the state and the note, all or nothing. */
export async function triageFindingsAction(slug: string, _prev: TriageState, data: FormData): Promise<TriageState> {
  const res = await triage({ slug, triage: { ids: data.getAll("ids").map(String), state: String(data.get("state") ?? ""), note: String(data.get("note") ?? "") } });
  if (!res.ok) return { problem: problemOf(res), done: null };
  revalidatePath(`/projects/${slug}/findings`, "layout");
  revalidatePath(`/projects/${slug}/hosts`, "layout");
  return { problem: null, done: res.data };
}
