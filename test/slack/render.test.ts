import { describe, expect, it } from "vitest";
import {
  answerQuestion,
  changeAnswer,
  LANGS,
  type Lang,
  type OutcomeStep,
  type Progressed,
  startConsultation,
} from "../../src/engine/index.ts";
import { formatFee } from "../../src/present/formatFee.ts";
import { checkBlocks, checkMessage } from "../../src/slack/fakeSlack/blockKitLimits.ts";
import { UI } from "../../src/slack/i18n.ts";
import { escapeMrkdwn, LIMITS, type SlackMessage } from "../../src/slack/render/blocks.ts";
import { renderStep } from "../../src/slack/render/message.ts";
import { renderVersionChanged } from "../../src/slack/render/notice.ts";
import { machineLine, renderOutcome } from "../../src/slack/render/outcome.ts";
import { conversationLink, handoffSummary } from "../../src/slack/render/staff.ts";
import { renderHelp, renderHome, renderStartOffer } from "../../src/slack/render/start.ts";
import { statsBlocks } from "../../src/slack/render/stats.ts";
import { MAX_VALUE_LENGTH } from "../../src/slack/state/codec.ts";
import { loadDefaultFlow } from "../support/harness.ts";
import { actionIdsIn } from "../support/payloads.ts";

const compiled = loadDefaultFlow();
// The longest Slack user ids seen in the wild are 11 characters; use a longer one.
const OWNER = "U0123456789ABCDEFGH";

/** Every state the engine can reach: each question and each result, by trying every option. */
function walk(lang: Lang): Progressed[] {
  const seen: Progressed[] = [];
  const visit = (at: Progressed) => {
    seen.push(at);
    if (at.step.kind !== "question") return;
    for (const option of at.step.question.options) {
      const next = answerQuestion(compiled, at.consultation, at.step.question.id, option.id);
      if (!next.ok) throw new Error(next.error.message);
      visit(next.value);
    }
  };
  visit(startConsultation(compiled, lang));
  return seen;
}

function buttons(message: SlackMessage) {
  type Button = { type: string; action_id: string; value?: string; text: { text: string } };
  return message.blocks
    .flatMap((b) => {
      const block = b as { elements?: unknown[]; accessory?: unknown };
      return [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])] as Button[];
    })
    .filter((e) => e.type === "button");
}

function checkLimits(message: SlackMessage) {
  expect(checkMessage(message)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
  for (const b of buttons(message)) {
    expect(b.value?.length ?? 0).toBeLessThanOrEqual(MAX_VALUE_LENGTH);
    expect([...b.text.text].length).toBeLessThanOrEqual(LIMITS.buttonText);
    expect(b.action_id.length).toBeLessThanOrEqual(LIMITS.actionId);
  }
}

for (const lang of LANGS) {
  describe(`every question and result card in ${lang}`, () => {
    const states = walk(lang);
    const questions = states.filter((s) => s.step.kind === "question");
    const outcomes = states.filter((s) => s.step.kind === "outcome");

    it("reaches every route", () => {
      expect(new Set(outcomes.map((o) => (o.step as OutcomeStep).route))).toEqual(
        new Set(["move", "handover", "reissue", "needs_check", "not_transferable"]),
      );
    });

    it("renders every question within Block Kit limits, with one answer:<question>:<option> button per option", () => {
      for (const { step, consultation } of questions) {
        if (step.kind !== "question") continue;
        const message = renderStep(step, { consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 });
        checkLimits(message);
        const ids = actionIdsIn(message.blocks);
        expect(ids.filter((id) => id.startsWith("answer:"))).toEqual(
          step.question.options.map((o) => `answer:${step.question.id}:${o.id}`),
        );
        expect(ids).toContain(`nav:lang:${lang === "ja" ? "en" : "ja"}`);
        if (consultation.answers.length > 0)
          expect(ids).toEqual(expect.arrayContaining(["nav:back", "nav:restart"]));
        // The words come from the engine step, in the consultation's language.
        expect(message.text).toBe(step.question.text);
        expect(JSON.stringify(message.blocks)).toContain(lang === "ja" ? "質問" : "Question");
      }
    });

    it("renders every result card within limits, with the machine line, fee, change buttons, share and start over", () => {
      for (const { step, consultation } of outcomes) {
        if (step.kind !== "outcome") continue;
        const message = renderStep(step, { consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 });
        checkLimits(message);
        const ids = actionIdsIn(message.blocks);
        expect(ids).toEqual(
          expect.arrayContaining([
            "share",
            "nav:restart",
            ...consultation.answers.map(([q]) => `change:${q}`),
          ]),
        );
        const text = JSON.stringify(message.blocks);
        expect(text).toContain(machineLine(step));
        expect(machineLine(step)).toMatch(/^route: \w+ · installer: [\w-]+ · fee: \w+$/);
        expect(text).toContain(step.title);
        for (const c of step.conditions) for (const p of c.passages) expect(text).toContain(p.id);
        if (step.fee.excludingTax === null) {
          expect(text).toContain(lang === "ja" ? "料金表のとおり" : "per the price list");
          // The FAQ gives no tax basis for a price-list fee, so the card must not claim one.
          expect(text).not.toMatch(
            lang === "ja"
              ? /料金表のとおり（税別）|消費税\d+%を加算/
              : /price list \(excl\. tax\)|% consumption tax/,
          );
        } else expect(text).toContain(lang === "ja" ? "税込" : "incl. tax");
        const shared = renderOutcome(
          step,
          { consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 },
          { sharedBy: OWNER },
        );
        checkLimits(shared);
        expect(actionIdsIn(shared.blocks)).toEqual([]);
      }
    });

    it("a result card shows every condition, note, item to confirm and step, in order, each under its title; a title only when it has items", () => {
      const seen = { conditions: false, notes: false, confirm: false, steps: false };
      for (const { step, consultation } of outcomes) {
        if (step.kind !== "outcome") continue;
        const message = renderOutcome(step, { consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 });
        const sections = (id: string) =>
          message.blocks
            .filter((b) => "block_id" in b && (b.block_id === id || b.block_id?.startsWith(`${id}_`)))
            .map((b) => (b as { text: { text: string } }).text.text)
            .join("\n");
        const ui = UI[lang];
        const expected = {
          conditions: step.conditions.map((c) => escapeMrkdwn(c.text)),
          notes: step.notes.map((n) => escapeMrkdwn(n.text)),
          confirm: step.confirm.map(
            (c) => `${escapeMrkdwn(c.text)} — *${escapeMrkdwn(ui.confirmWith[c.with])}*`,
          ),
          steps: step.steps.map((s, i) => `${i + 1}. ${escapeMrkdwn(s.text)}`),
        };
        const titles = {
          conditions: ui.conditions,
          notes: ui.notes,
          confirm: ui.confirm,
          steps: ui.nextSteps,
        };
        for (const kind of ["conditions", "notes", "confirm", "steps"] as const) {
          const text = sections(kind);
          if (expected[kind].length === 0) {
            expect(text, kind).toBe("");
            continue;
          }
          seen[kind] = true;
          expect(text.startsWith(`*${titles[kind]}*\n`), kind).toBe(true);
          let at = 0;
          for (const item of expected[kind]) {
            const found = text.indexOf(item, at);
            expect(found, `${kind}: ${item}`).toBeGreaterThan(at - 1);
            at = found + item.length;
          }
        }
      }
      expect(seen).toEqual({ conditions: true, notes: true, confirm: true, steps: true });
      // A result with none of the four (a flow may define one): no empty titled sections.
      const any = outcomes.find((o) => o.step.kind === "outcome");
      if (any === undefined || any.step.kind !== "outcome") throw new Error("the flow has results");
      const bare = renderOutcome(
        { ...any.step, conditions: [], notes: [], confirm: [], steps: [] },
        { consultation: any.consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 },
      );
      const ids = bare.blocks.map((b) => ("block_id" in b ? b.block_id : undefined));
      for (const kind of ["conditions", "notes", "confirm", "steps"]) expect(ids).not.toContain(kind);
    });

    it("renders the change-an-answer screens (with kept answers) within limits", () => {
      for (const { step, consultation } of outcomes) {
        if (step.kind !== "outcome") continue;
        for (const [question] of consultation.answers) {
          const changed = changeAnswer(compiled, consultation, question);
          if (!changed.ok) throw new Error(changed.error.message);
          checkLimits(
            renderStep(changed.value.step, {
              consultation: changed.value.consultation,
              owner: OWNER,
              id: "AbCdEf123456",
              seq: 4,
            }),
          );
        }
      }
    });

    it("a change screen marks the previous answer (its button primary, the others plain) and offers back and start over even for the first question", () => {
      const first = startConsultation(compiled, lang);
      if (first.step.kind !== "question") throw new Error("the flow starts with a question");
      const option = first.step.question.options[1] ?? first.step.question.options[0];
      if (option === undefined) throw new Error("a question has options");
      const answered = answerQuestion(compiled, first.consultation, first.step.question.id, option.id);
      if (!answered.ok) throw new Error(answered.error.message);
      const changed = changeAnswer(compiled, answered.value.consultation, first.step.question.id);
      if (!changed.ok) throw new Error(changed.error.message);
      const { step, consultation } = changed.value;
      if (step.kind !== "question") throw new Error("changing an answer asks the question again");
      // No answer before the first question, only kept ones: back and start over still apply.
      expect(consultation.answers).toEqual([]);
      const message = renderStep(step, { consultation, owner: OWNER, id: "AbCdEf123456", seq: 2 });
      const styles = buttons(message)
        .filter((b) => b.action_id.startsWith("answer:"))
        .map((b) => [b.action_id, (b as { style?: string }).style]);
      expect(styles).toEqual(
        step.question.options.map((o) => [
          `answer:${step.question.id}:${o.id}`,
          o.id === option.id ? "primary" : undefined,
        ]),
      );
      expect(JSON.stringify(message.blocks)).toContain(UI[lang].previousAnswer(option.label));
      expect(actionIdsIn(message.blocks)).toEqual(expect.arrayContaining(["nav:back", "nav:restart"]));
      // The very first screen has neither.
      const fresh = renderStep(first.step, {
        consultation: first.consultation,
        owner: OWNER,
        id: "AbCdEf123456",
        seq: 0,
      });
      expect(actionIdsIn(fresh.blocks)).not.toContain("nav:back");
      expect(actionIdsIn(fresh.blocks)).not.toContain("nav:restart");
    });

    it("offers Ask staff (with a staff channel) on every result that needs a check or that we install, and on no other", () => {
      const needsUs = (s: OutcomeStep) =>
        s.installer === "us" || s.route === "needs_check" || s.outcome === "needs_check";
      const seen = { route: false, outcome: false, neither: false };
      for (const { step, consultation } of outcomes) {
        if (step.kind !== "outcome") continue;
        const state = { consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 };
        const ids = actionIdsIn(renderOutcome(step, state, { staff: true }).blocks);
        const expected = needsUs(step);
        if (step.route === "needs_check") seen.route = true;
        if (step.outcome === "needs_check") seen.outcome = true;
        if (!expected) seen.neither = true;
        expect(ids.includes("handoff:ask"), `${step.outcome} / ${step.route} / ${step.installer}`).toBe(
          expected,
        );
        expect(actionIdsIn(renderOutcome(step, state).blocks)).not.toContain("handoff:ask");
      }
      expect(seen).toEqual({ route: true, outcome: true, neither: true });
      // The rule, one part at a time (the flow may tie them together): a check pending, or us installing.
      const plain = outcomes.find((o) => o.step.kind === "outcome" && !needsUs(o.step));
      if (plain === undefined || plain.step.kind !== "outcome") throw new Error("a result that needs no one");
      const state = { consultation: plain.consultation, owner: OWNER, id: "AbCdEf123456", seq: 3 };
      const asks = (step: OutcomeStep) =>
        actionIdsIn(renderOutcome(step, state, { staff: true }).blocks).includes("handoff:ask");
      expect(asks(plain.step)).toBe(false);
      expect(asks({ ...plain.step, route: "needs_check" })).toBe(true);
      expect(asks({ ...plain.step, outcome: "needs_check" })).toBe(true);
      expect(asks({ ...plain.step, installer: "us" })).toBe(true);
    });

    it("renders the start offer, the help, the version notice and App Home within limits", () => {
      checkLimits(renderStartOffer(compiled, OWNER, lang));
      checkLimits(renderHelp(compiled, OWNER, "/ssl-move", lang));
      const start = startConsultation(compiled, lang).consultation;
      const state = { consultation: start, owner: OWNER, id: "AbCdEf123456", seq: 0 };
      const newer = renderVersionChanged(state, { id: start.flowId, version: 2 });
      checkLimits(newer);
      expect(newer.text).toContain(`v${start.version} → v2`);
      // Another flow is not "an update from v1 to v1".
      const other = renderVersionChanged(state, { id: "another-faq", version: start.version });
      checkLimits(other);
      expect(other.text).toBe(UI[lang].otherFlow);
      expect(checkBlocks(renderHome(compiled, OWNER, "/ssl-move", lang).blocks, "view")).toEqual([]);
    });
  });
}

describe("statistics", () => {
  it("lists the drop-off in the order the flow asks (the store sorts by count, then name); a question the flow no longer has comes last", () => {
    const dropOff = ["csr_details_same", "current_server", "gone_question", "issuer", "validity"].map(
      (question) => ({ question, reached: 1, answered: 1 }),
    );
    const stats = { perDay: [], outcomes: [], fees: [], dropOff, medianSecondsToOutcome: 42 };
    const text = JSON.stringify(statsBlocks(stats, compiled, "ja", new Date()));
    const shown = [...text.matchAll(/`([a-z_]+)`: 1 → 1/g)].map((m) => m[1]);
    expect(shown).toEqual(["validity", "current_server", "issuer", "csr_details_same", "gone_question"]);
    expect(text).toContain("結果までの時間（中央値）：42秒");
  });
});

describe("progress on a question", () => {
  it("says which question this is and how many at most there are in all, counting the ones answered", () => {
    for (const lang of LANGS) {
      for (const { step, consultation } of walk(lang)) {
        if (step.kind !== "question") continue;
        const { answered, remainingAtMost } = step.progress;
        const message = renderStep(step, { consultation, owner: OWNER, id: "AbCdEf123456", seq: 1 });
        const progress = message.blocks.find((b) => "block_id" in b && b.block_id === "progress");
        expect(JSON.stringify(progress)).toContain(
          JSON.stringify(UI[lang].progress(answered + 1, answered + remainingAtMost)).slice(1, -1),
        );
      }
    }
  });
});

describe("statistics: labels", () => {
  it("routes, fees and questions under the flow's own words in the reader's language, with the code after them", () => {
    const fee = Object.keys(compiled.flow.fees)[0] as string;
    const route = compiled.flow.outcomes[0]?.route as string;
    const question = compiled.flow.questions[0]?.id as string;
    const stats = {
      perDay: [],
      outcomes: [{ route, count: 2 }],
      fees: [{ fee, count: 3 }],
      dropOff: [{ question, reached: 5, answered: 4 }],
      medianSecondsToOutcome: null,
    };
    for (const lang of LANGS) {
      const text = JSON.stringify(statsBlocks(stats, compiled, lang, new Date()));
      const routeTitle = compiled.flow.outcomes.find((o) => o.route === route)?.title[lang] as string;
      expect(text).toContain(JSON.stringify(`• ${escapeMrkdwn(routeTitle)} \`${route}\`: 2`).slice(1, -1));
      const feeLabel = compiled.flow.fees[fee]?.label[lang] as string;
      expect(text).toContain(JSON.stringify(`• ${escapeMrkdwn(feeLabel)} \`${fee}\`: 3`).slice(1, -1));
      const questionText = compiled.flow.questions[0]?.text[lang] as string;
      expect(text).toContain(
        JSON.stringify(`• ${escapeMrkdwn(questionText)} \`${question}\`: 5 → 4`).slice(1, -1),
      );
    }
  });
});

describe("statistics: times and empty tables", () => {
  const empty = { perDay: [], outcomes: [], fees: [], dropOff: [], medianSecondsToOutcome: null };
  const median = (seconds: number | null, lang: Lang = "en") =>
    JSON.stringify(statsBlocks({ ...empty, medianSecondsToOutcome: seconds }, compiled, lang, new Date()));

  it("the median time in seconds below a minute and a half, minutes below an hour and a half, else hours; none yet: a dash", () => {
    expect(median(null)).toContain("Median time to an outcome: —");
    expect(median(89.4)).toContain("Median time to an outcome: 89 s");
    expect(median(90)).toContain("Median time to an outcome: 1.5 min");
    expect(median(5399)).toContain("Median time to an outcome: 90.0 min");
    expect(median(5400)).toContain("Median time to an outcome: 1.5 h");
    expect(median(36_000)).toContain("Median time to an outcome: 10.0 h");
    expect(median(5400, "ja")).toContain("結果までの時間（中央値）：1.5時間");
  });

  it("a window with nothing recorded: every day at 0 / 0, and each table says so instead of being blank", () => {
    const text = JSON.stringify(statsBlocks(empty, compiled, "en", new Date("2026-03-14T23:59:00Z")));
    expect(text).toContain("`2026-03-01`  0 / 0");
    expect(text).toContain("`2026-03-14`  0 / 0");
    expect(text).not.toContain("2026-03-15");
    expect(text.match(/Nothing recorded yet\./g)).toHaveLength(3);
  });
});

describe("App Home", () => {
  it("both languages, the reader's first; the header carries the reader's title, so only the other language's intro repeats its own", () => {
    for (const lang of LANGS) {
      const other: Lang = lang === "ja" ? "en" : "ja";
      const { blocks } = renderHome(compiled, OWNER, "/ssl-move", lang);
      const ids = blocks.map((b) => ("block_id" in b ? b.block_id : b.type));
      expect(ids.filter((id) => /^(intro|help)_/.test(id ?? ""))).toEqual([
        `intro_${lang}`,
        `help_${lang}`,
        `intro_${other}`,
        `help_${other}`,
      ]);
      const text = (id: string) =>
        (blocks.find((b) => "block_id" in b && b.block_id === id) as { text: { text: string } }).text.text;
      expect(JSON.stringify(blocks[0])).toContain(compiled.flow.title[lang]);
      expect(text(`intro_${lang}`)).not.toContain(compiled.flow.title[lang]);
      expect(text(`intro_${other}`).startsWith(`*${compiled.flow.title[other]}*`)).toBe(true);
      expect(text(`help_${lang}`).startsWith(`*${UI[lang].helpTitle}*\n`)).toBe(true);
      expect(text(`help_${other}`).startsWith(`*${UI[other].helpTitle}*\n`)).toBe(true);
    }
  });
});

describe("the handoff summary staff read", () => {
  it("names the customer and where, the language, the result, the fee, the machine line and every answer, in the customer's language", () => {
    for (const lang of LANGS) {
      const outcome = walk(lang).find((s) => s.step.kind === "outcome");
      if (outcome === undefined || outcome.step.kind !== "outcome") throw new Error("the flow has results");
      const step = outcome.step;
      const place = { workspace: "T1", user: "U1", channel: "C123ABC", ephemeral: true };
      const lines = handoffSummary(step, place, lang).split("\n");
      expect(lines.slice(0, 6)).toEqual([
        "*お客様 / Customer*: <@U1> — <#C123ABC>",
        `*言語 / Language*: ${lang === "ja" ? "日本語 / Japanese" : "英語 / English"}`,
        `*結果 / Outcome*: ${escapeMrkdwn(step.title)}`,
        `*料金 / Fee*: ${escapeMrkdwn(formatFee(step.fee, lang).line)}`,
        `\`${machineLine(step)}\``,
        "*回答 / Answers*",
      ]);
      expect(lines.slice(6)).toEqual(
        step.answers.map((a) => `• ${escapeMrkdwn(a.questionText)} — *${escapeMrkdwn(a.optionLabel)}*`),
      );
      expect(step.answers.length).toBeGreaterThan(0);
    }
  });
});

describe("where staff find the customer's conversation", () => {
  const place = { workspace: "T1", user: "U1", channel: "C123ABC", ephemeral: false };
  it("a channel message: the channel as a mention and the message's archive link, never a link inside a link label", () => {
    const text = conversationLink({ ...place, messageTs: "1700000000.000100" });
    expect(text).toBe("<#C123ABC> (<https://slack.com/archives/C123ABC/p1700000000000100|message>)");
    expect(text).not.toMatch(/\|<[#@]/);
  });
  it("an ephemeral card: the channel (it has no link of its own); a DM: the customer", () => {
    expect(conversationLink({ ...place, ephemeral: true, messageTs: "1.2" })).toBe("<#C123ABC>");
    expect(conversationLink({ ...place, channel: "D999" })).toBe("<@U1> (DM)");
  });
});
