import type { Scope } from "../../runner/src/scope/rules.ts";

/** The first few entries of a list, then how many more. */
export function listText(list: string[], max = 4): string {
  if (list.length === 0) return "none";
  return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")} and ${list.length - max} more`;
}

/** A project's scope in one line: what is allowed and excluded. */
export function scopeLine(scope: Scope | null): string {
  if (!scope) return "unscoped: runs may target anything";
  return `allowed: ${listText(scope.allow)}${scope.exclude.length ? `; excluded: ${listText(scope.exclude)}` : ""}`;
}

/** What enforces a scope, in the same words everywhere the scope is shown. */
export const SCOPE_ENFORCEMENT_NOTE =
  "checked by the hub on every target, and enforced by the run's network on engines that can (addresses, ports and host names; URL paths, devices and host-network runs are not enforced)";

/** The scope as members read it: the line, services, the two flags and what enforces it. */
export function ScopeSummary({ scope, requireEnforcement, allowHostNetwork }: { scope: Scope | null; requireEnforcement: boolean; allowHostNetwork: boolean }) {
  return (
    <span data-testid="project-scope" className="block break-words">
      <span className="font-mono text-xs">{scopeLine(scope)}</span>
      {scope && scope.services.length > 0 && <span className="block text-xs text-zinc-600">services (not targets): {listText(scope.services)}</span>}
      {scope && (
        <span className="block text-xs text-zinc-500">
          {SCOPE_ENFORCEMENT_NOTE}
          {requireEnforcement ? "; requires enforcement" : ""}
          {allowHostNetwork ? "; host-network runs allowed" : ""}
        </span>
      )}
    </span>
  );
}
