"use client";

import { useActionState } from "react";
import type { PolicySettingsState } from "../../actions/update-policy-settings.ts";
import { ARG_FIELDS, BUILD_FIELDS, DEBUG_FIELDS, FILE_FIELDS, RUN_FIELDS, type NumberField } from "./fields.ts";

/** Base images, image aliases, pull registries, build networking and limits, run limits and argument caps, saved together. */
export function PolicySettingsForm({
  baseImages,
  imageAliases,
  pullRegistries,
  buildNetwork,
  hostNetworkOnHubMachine,
  debugEnabled,
  values,
  action,
}: {
  baseImages: string[];
  /** the aliases as the field shows them, `reference = image` per line */
  imageAliases: string;
  pullRegistries: string[];
  buildNetwork: "none" | "default";
  /** the unsafe setting: host-network grants work on the hub's own machine too */
  hostNetworkOnHubMachine: boolean;
  /** run owners may open debug terminals into their running tasks */
  debugEnabled: boolean;
  /** field path → the value in the field's unit */
  values: Record<string, string>;
  action: (state: PolicySettingsState, data: FormData) => Promise<PolicySettingsState>;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  const numbers = (legend: string, fields: NumberField[]) => (
    <fieldset className="space-y-2">
      <legend className="h-section">{legend}</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        {fields.map((f) => {
          const id = `set-${f.path.replace(/\./g, "-")}`;
          return (
            <div key={f.path}>
              <label htmlFor={id} className="label">
                {f.label}
                {f.unit && <span className="text-zinc-500"> ({f.unit})</span>}
              </label>
              <input id={id} name={f.path} defaultValue={values[f.path]} inputMode="decimal" className="input mt-1 w-40" aria-invalid={errors[f.path] ? true : undefined} />
              {errors[f.path] && <p className="field-error">{errors[f.path]}</p>}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
  return (
    <form action={formAction} className="card space-y-5 p-4" aria-label="Policy settings">
      <div>
        <label htmlFor="set-base" className="label">Base images (one per line)</label>
        <textarea id="set-base" name="baseImages" rows={4} defaultValue={baseImages.join("\n")} className="input mt-1 font-mono text-xs" aria-invalid={errors.baseImages ? true : undefined} />
        <p className="hint">Runs and Dockerfile builds may use these by name, besides images of packages their owner may see.</p>
        {errors.baseImages && <p className="field-error">{errors.baseImages}</p>}
      </div>
      <div>
        <label htmlFor="set-aliases" className="label">Image aliases (one &quot;reference = image&quot; per line)</label>
        <textarea
          id="set-aliases"
          name="imageAliases"
          rows={3}
          defaultValue={imageAliases}
          placeholder="alpine:latest = levhub/python:bookworm"
          className="input mt-1 font-mono text-xs"
          aria-invalid={errors.imageAliases ? true : undefined}
        />
        <p className="hint">
          For hubs without a registry: a task asking for the reference on the left, exactly as the package writes it (<code>alpine</code> and <code>alpine:latest</code> are two
          aliases), runs the local image on the right instead. The right-hand image is trusted as you name it; it must exist on every worker&apos;s engine.
        </p>
        {errors.imageAliases && <p className="field-error">{errors.imageAliases}</p>}
      </div>
      <div>
        <label htmlFor="set-registries" className="label">Pull from registries (one host[:port] per line)</label>
        <textarea
          id="set-registries"
          name="pullRegistries"
          rows={2}
          defaultValue={pullRegistries.join("\n")}
          placeholder="127.0.0.1:5000"
          className="input mt-1 font-mono text-xs"
          aria-invalid={errors.pullRegistries ? true : undefined}
        />
        <p className="hint">
          An image missing on the engine is pulled when its registry is listed here (<code>docker.io</code> for names like <code>alpine:latest</code>), and pinned by digest for the rest of the
          run. Any run may use images from these registries. Empty: never pull.
        </p>
        {errors.pullRegistries && <p className="field-error">{errors.pullRegistries}</p>}
      </div>
      <div>
        <label htmlFor="set-net" className="label">Build networking</label>
        <select id="set-net" name="buildNetwork" defaultValue={buildNetwork} className="input mt-1 w-64">
          <option value="none">none (RUN steps are offline)</option>
          <option value="default">Docker&apos;s default bridge</option>
        </select>
      </div>
      <fieldset className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
        <legend className="label px-1 text-red-900">Unsafe</legend>
        <label className="flex items-start gap-2">
          <input type="checkbox" name="hostNetworkOnHubMachine" defaultChecked={hostNetworkOnHubMachine} className="mt-1 size-4" />
          <span>
            Host networking on the hub&apos;s machine (unsafe). A grant of the host&apos;s network then works on engines whose machine runs the hub, where a granted tool shares the
            hub&apos;s loopback: it can reach the hub&apos;s database and local services and, with NET_RAW, read their traffic. Off: such tasks are refused there, and granted tools belong
            on another worker&apos;s engine or on the run&apos;s own network.
          </span>
        </label>
      </fieldset>
      {numbers("Image builds", BUILD_FIELDS)}
      {numbers("Runs", RUN_FIELDS)}
      {numbers("Run arguments", ARG_FIELDS)}
      {numbers("Files given to runs", FILE_FIELDS)}
      <fieldset className="space-y-2">
        <legend className="h-section">Debug terminals</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="debug.enabled" defaultChecked={debugEnabled} />
          A run&apos;s owner may open a terminal into its running tasks (never tasks under a grant or holding a secret)
        </label>
        {numbers("", DEBUG_FIELDS)}
      </fieldset>
      {state.status === "error" && <p role="alert" className="field-error">{state.message}</p>}
      {state.status === "saved" && <p role="status" className="text-sm text-emerald-700">Saved. Runs and uploads started from now on use these values.</p>}
      <button type="submit" className="btn btn-primary" disabled={pending}>Save settings</button>
    </form>
  );
}
