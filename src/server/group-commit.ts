/**
 * Inspection rows committed in groups: the rows that are ready in the same turn of the event loop
 * (a batch's, under load) go into one SQLite transaction, so they share one sync of the database
 * (synchronous=FULL) instead of each blocking the event loop for a sync of its own. A writer's
 * promise settles once the transaction holding its row is committed, so an answer still waits for
 * its row; each write runs in a savepoint, so one that throws leaves the others' rows in.
 * A write runs before the group commits: whatever it changes outside the database (line health's
 * windows) its writer must undo when the promise rejects.
 */
import type { Db } from '../store/database.js';

interface Pending {
  write(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private pending: Pending[] = [];

  constructor(private readonly db: Db) {}

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // setImmediate: after the I/O callbacks of this turn, which may bring more rows.
      if (this.pending.length === 0) setImmediate(() => this.commit());
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private commit(): void {
    const group = this.pending;
    this.pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.db.transaction(() =>
        group.map((item): Outcome => {
          try {
            return { ok: true, value: this.db.transaction(item.write)() };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      )();
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
