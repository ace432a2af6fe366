/**
 * The little the shared queries need from a database. SQL uses PostgreSQL's
 * $1, $2… placeholders; the SQLite runner rewrites them.
 */
export type Statement = { sql: string; params?: readonly unknown[] };

export interface SqlRunner {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs the statements in one transaction; returns the rows each changed. */
  transaction(statements: readonly Statement[]): Promise<number[]>;
}

/** A runner whose reads all see the database as it was at its first read, until closed. */
export interface Snapshot {
  runner: SqlRunner;
  close(): Promise<void>;
}
