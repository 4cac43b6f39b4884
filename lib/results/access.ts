/**
 * Whose result documents a viewer may read: those of the projects they may read (their
 * memberships, `lib/projects/access.ts` readableProjectIds); an admin, every project's. Every
 * results query starts from this scope (lib/results/where.ts puts it first). Pure.
 */
export type ResultScope = { all: true } | { all: false; projectIds: string[] };

/** `readable`: the project ids the viewer may read, null for all of them. */
export function resultScope(readable: readonly string[] | null): ResultScope {
  return readable === null ? { all: true } : { all: false, projectIds: [...readable] };
}
