import * as q from "./sqlQueries.ts";
import type { Snapshot, SqlRunner } from "./sqlRunner.ts";
import type { NewHandoff, ReportRow, StatsRange } from "./types.ts";

/**
 * What both stores answer with the same SQL: each store only supplies how to
 * run a statement (its `runner`), so SQLite and PostgreSQL cannot drift apart.
 */
export abstract class SqlQueries {
  protected abstract readonly runner: SqlRunner;
  protected abstract snapshot(): Promise<Snapshot>;
  /**
   * The time claims are written and compared in, in ms. Instances' clocks can
   * disagree; one clock per database keeps a claim one instance just wrote
   * from looking expired to another whose clock runs ahead.
   */
  protected abstract clock(): Promise<number>;

  countEvents() {
    return q.countEvents(this.runner);
  }
  stats(range?: StatsRange) {
    return q.queryStats(this.runner, range);
  }
  async report(range: StatsRange) {
    const rows: ReportRow[] = [];
    for await (const page of this.reportPages(range)) rows.push(...page);
    return rows;
  }
  /**
   * Every page from one snapshot: a report read page by page must not miss a
   * consultation whose first event is written, meanwhile, into a page already
   * read (another instance's batch, a queue flushed after an outage).
   */
  async *reportPages(range: StatsRange) {
    const snapshot = await this.snapshot();
    try {
      yield* q.reportPages(snapshot.runner, range);
    } finally {
      await snapshot.close();
    }
  }
  eraseUser(userId: string) {
    return q.eraseUser(this.runner, userId);
  }
  purgeOlderThan(days: number, now = new Date()) {
    return q.purgeOlderThan(this.runner, days, now);
  }
  createHandoff(h: NewHandoff) {
    return q.createHandoff(this.runner, h);
  }
  takeHandoff(id: string, assignee: string) {
    return q.takeHandoff(this.runner, id, assignee);
  }
  getHandoff(id: string) {
    return q.getHandoff(this.runner, id);
  }
  setHandoffMessage(id: string, ts: string) {
    return q.setHandoffMessage(this.runner, id, ts);
  }
  async claimHandoffPost(id: string, now?: number) {
    return q.claimHandoffPost(this.runner, id, now ?? (await this.clock()));
  }
  releaseHandoffPost(id: string, token: string) {
    return q.releaseHandoffPost(this.runner, id, token);
  }
  async claimDelivery(key: string, user: string, windowMs: number, now?: number) {
    return q.claimDelivery(this.runner, key, user, windowMs, now ?? (await this.clock()));
  }
  async pruneDeliveries(now?: number) {
    return q.pruneDeliveries(this.runner, now ?? (await this.clock()));
  }
}
