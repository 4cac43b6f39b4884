/**
 * Exports streaming at once, in the whole hub and per user: an export holds a database connection
 * for as long as its client reads, so both are bounded, and a caller past either is refused at once
 * (429) rather than queued behind stalled exports. Counted in the web process, which serves every
 * export. Pure apart from its counts.
 */
import { AppError } from "../errors.ts";

export interface SlotLimits {
  /** exports at once in the whole hub */
  connections: number;
  /** exports at once per user */
  perUser: number;
}

export class ExportSlots {
  private readonly byUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: () => SlotLimits) {}

  /** A slot for `userId`, or a rate_limited error naming the limit; the returned function frees it (once). */
  take(userId: string): () => void {
    const { connections, perUser } = this.limits();
    const mine = this.byUser.get(userId) ?? 0;
    if (mine >= perUser) {
      throw new AppError("rate_limited", `you have ${mine} export(s) streaming already, the most one user may have at once (${perUser}); let one finish or cancel it`);
    }
    if (this.total >= connections) throw new AppError("rate_limited", `the hub is streaming as many exports as it can at once (${connections}); try again in a moment`);
    this.byUser.set(userId, mine + 1);
    this.total++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.total--;
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    };
  }

  /** exports streaming now (tests, diagnostics) */
  get active(): number {
    return this.total;
  }
}
