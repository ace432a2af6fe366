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
