import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { decodeState } from "../../src/slack/state/codec.ts";
import { BOT_TOKEN, readResult } from "../support/harness.ts";
import { findButton } from "../support/payloads.ts";
import { type AppProcess, click, command, PATHS, questionOf, snapshot, startApp } from "./appProcess.ts";

const consultationIdOf = (m: { blocks: unknown[] }) =>
  decodeState(
    findButton(m.blocks, "nav:lang:en")?.button.value ?? findButton(m.blocks, "nav:lang:ja")?.button.value,
  )?.id;

describe("kill -9 (SQLite)", () => {
  let fake: FakeSlack;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    dir = mkdtempSync(join(tmpdir(), "ssl-move-crash-"));
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses no completed record, and every half-way consultation continues on a new process", async () => {
    const env = { SQLITE_PATH: join(dir, "consultations.db") };
    let app: AppProcess = await startApp(fake, env);
    const completed: string[] = [];
    const halfWay: Array<{
      user: string;
      answers: Record<string, string>;
      message: ReturnType<typeof snapshot>;
    }> = [];
    try {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const answers = PATHS[i % PATHS.length] as Record<string, string>;
          const user = `U0CRASH${i}`;
          let m = snapshot(await command(fake, app, { user, channel: "C0GENERAL" }));
          // Even ones run to their result; odd ones stop after two answers.
          for (
            let q = questionOf(m), n = 0;
            q !== undefined && (i % 2 === 0 || n < 2);
            q = questionOf(m), n++
          )
            m = await click(fake, app, m, `answer:${q}:${answers[q]}`, user);
          if (i % 2 === 0) {
            expect(readResult(m.blocks)).toBeDefined();
            completed.push(consultationIdOf(m) as string);
          } else halfWay.push({ user, answers, message: m });
        }),
      );
      // The moment the last result is on screen: no SIGTERM, no drain.
      app.child.kill("SIGKILL");
      expect((await app.exited).signal).toBe("SIGKILL");

      app = await startApp(fake, env);
      for (const { user, answers, message } of halfWay) {
        let m = message;
        expect(questionOf(m)).toBeDefined();
        for (let q = questionOf(m); q !== undefined; q = questionOf(m))
          m = await click(fake, app, m, `answer:${q}:${answers[q]}`, user);
        expect(readResult(m.blocks)).toMatchObject({ route: expect.any(String) });
        // The same consultation, continued from its last message.
        expect(consultationIdOf(m)).toBe(consultationIdOf(message));
      }
      expect((await app.stop()).code).toBe(0);
    } finally {
      if (app.child.exitCode === null) app.child.kill("SIGKILL");
    }

    const store = new SqliteStore({ path: env.SQLITE_PATH });
    try {
      const rows = await store.report({});
      const done = new Set(rows.filter((r) => r.completed_at !== "").map((r) => r.id));
      for (const id of completed) expect(done.has(id), `completed record of ${id}`).toBe(true);
      for (const { message } of halfWay) expect(done.has(consultationIdOf(message) as string)).toBe(true);
    } finally {
      await store.close();
    }
  }, 90_000);
});
