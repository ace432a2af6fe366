import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultReplayDir } from "../../src/paths.ts";
import { findCaseFiles, loadCaseFile } from "../../src/replay/loadCases.ts";
import { runCase } from "../../src/replay/runCase.ts";
import { Harness, readResult } from "../support/harness.ts";
import { actionIdsIn } from "../support/payloads.ts";

// Every answer-map case in flows/replays, walked through Slack: the slash
// command, then the `answer:` buttons of the latest message, exactly as an
// outside driver does. The result card must say what the engine run says.
const { files } = findCaseFiles([defaultReplayDir]);
const cases = files.flatMap((file) => loadCaseFile(file).cases).filter((c) => "answers" in c.testCase);

describe("replay files through the Slack path", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it("has cases to run", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const [i, { file, testCase }] of cases.entries()) {
    if (!("answers" in testCase)) continue;
    it(`${file.split("/").pop()}: ${testCase.name}`, async () => {
      const engine = runCase(h.compiled, testCase);
      expect(engine.error).toBeNull();
      const user = `UREPLAY${i}`;
      let message = await h.command({ text: testCase.lang === "en" ? "en" : "", user, channel: "C0REPLAY" });
      const asked: string[] = [];
      for (let turn = 0; turn < 20 && readResult(message.blocks) === undefined; turn++) {
        const answerIds = actionIdsIn(message.blocks).filter((id) => id.startsWith("answer:"));
        const question = answerIds[0]?.split(":")[1];
        expect(question, "a question message has answer buttons").toBeDefined();
        asked.push(question as string);
        const option = testCase.answers[question as string];
        expect(option, `the bot asked ${question}, which the case does not answer`).toBeDefined();
        const click = await h.click(message, `answer:${question}:${option}`);
        expect(click.status).toBe(200);
        expect(click.calls.every((c) => c.ok)).toBe(true);
        message = click.message;
      }
      const result = readResult(message.blocks);
      expect(result).toEqual({
        route: engine.route,
        installer: engine.installer ?? "-",
        fee: engine.fee,
      });
      expect(asked).toEqual(engine.asked);
      expect(result?.route).toBe(testCase.expect.route);
      if (testCase.expect.fee) expect(result?.fee).toBe(testCase.expect.fee);
      if (testCase.expect.installer) expect(result?.installer).toBe(testCase.expect.installer);
      if (testCase.expect.asked) expect(asked).toEqual(testCase.expect.asked);
    });
  }
});
