import { describeStore } from "./describeStore.ts";
import { postgresHarness, sqliteHarness, TEST_DATABASE_URL } from "./harnesses.ts";
import { describePostgresFaults } from "./postgresFaults.ts";

if (TEST_DATABASE_URL === undefined) {
  console.warn(
    "\n[records] PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set.\n" +
      "  To run them: source scripts/ci-postgres.sh && npm test\n" +
      "  (or TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db npx vitest run test/records)\n",
  );
}

describeStore("SQLite", sqliteHarness);
describeStore(
  "PostgreSQL",
  TEST_DATABASE_URL === undefined ? null : () => postgresHarness(TEST_DATABASE_URL as string),
);
// Last: it restarts the server the PostgreSQL suite above uses.
describePostgresFaults(TEST_DATABASE_URL);
