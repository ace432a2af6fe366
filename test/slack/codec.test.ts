import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { parseCommandText } from "../../src/slack/consult/command.ts";
import { checkBlocks } from "../../src/slack/fakeSlack/blockKitLimits.ts";
import { RecentKeys } from "../../src/slack/recent.ts";
import { clip, escapeMrkdwn, listSections } from "../../src/slack/render/blocks.ts";
import { ACTION_PATTERN, actionIds, parseActionId } from "../../src/slack/state/actionIds.ts";
import {
  type ButtonState,
  decodeState,
  decodeStoredState,
  derivedConsultationId,
  encodeState,
  isSlackId,
  MAX_VALUE_LENGTH,
  newConsultationId,
  setButtonKey,
  slackIdOrUndefined,
} from "../../src/slack/state/codec.ts";
import { runs } from "../support/propertyRuns.ts";

// Values below are signed with this key (the same for every test in this file).
const DEFAULT_KEY_SECRET = "codec test key";
setButtonKey(DEFAULT_KEY_SECRET);

const state: ButtonState = {
  owner: "U012AB3CD",
  id: "Xy_9-abcdEFG",
  seq: 7,
  consultation: {
    flowId: "ssl-migration",
    version: 3,
    lang: "en",
    answers: [
      ["validity", "valid"],
      ["current_server", "other_shared"],
    ],
    kept: { issuer: "us", installer: "self" },
  },
};

describe("button state codec", () => {
  it("round-trips a consultation and its owner, compactly, signed", () => {
    const value = encodeState(state);
    expect(value).toMatch(
      /^c3\|Xy_9-abcdEFG\|7\|ssl-migration\|3\|U012AB3CD\|en\|validity=valid,current_server=other_shared\|issuer=us,installer=self\|[A-Za-z0-9_-]{16}$/,
    );
    expect(decodeState(value)).toEqual(state);
    const { kept: _, ...withoutKept } = state.consultation;
    expect(decodeState(encodeState({ ...state, consultation: withoutKept }))).toEqual({
      ...state,
      consultation: withoutKept,
    });
  });

  it("keeps the longest possible consultation far below Slack's 2000 characters", () => {
    const answers = Array.from({ length: 40 }, (_, i): [string, string] => [
      `question_number_${i}`,
      "dedicated_vps_cloud",
    ]);
    const value = encodeState({ ...state, consultation: { ...state.consultation, answers } });
    expect(value.length).toBeLessThan(MAX_VALUE_LENGTH);
  });

  it("refuses the unsigned values of earlier versions (c1, c2): anyone could have written them", () => {
    for (const old of [
      "c1|ssl-migration|3|U012AB3CD|en|validity=valid,current_server=other_shared|issuer=us,installer=self",
      "c2|Xy_9-abcdEFG|7|ssl-migration|3|U012AB3CD|en|validity=valid,current_server=other_shared|issuer=us,installer=self",
    ])
      expect(decodeState(old)).toBeNull();
  });

  it("refuses any edit of a value it wrote, even one that still parses (owner, answers, id, screen counter)", () => {
    const value = encodeState(state);
    const body = value.slice(0, value.lastIndexOf("|"));
    const mac = value.slice(value.lastIndexOf("|") + 1);
    for (const [from, to] of [
      ["U012AB3CD", "U0OTHER99"],
      ["validity=valid", "validity=expired"],
      ["Xy_9-abcdEFG", "Xy_9-abcdEFH"],
      ["|7|", "|8|"],
      ["|en|", "|ja|"],
      ["|3|U0", "|4|U0"],
    ] as const) {
      const edited = body.replace(from, to);
      expect(edited).not.toBe(body);
      expect(decodeState(`${edited}|${mac}`), `${from} → ${to}`).toBeNull();
    }
    // Truncated anywhere, or signed with a key no app of this process has: refused.
    for (let n = 0; n < value.length; n++) expect(decodeState(value.slice(0, n))).toBeNull();
    const otherKey = createHmac("sha256", "ssl-move-bot button state v3").update("not our secret").digest();
    const foreign = createHmac("sha256", otherKey).update(body).digest("base64url").slice(0, 16);
    expect(decodeState(`${body}|${foreign}`)).toBeNull();
  });

  it("a second app in the same process (another secret) signs with its key; values of both stay valid", () => {
    const before = encodeState(state);
    setButtonKey("a second app's secret");
    try {
      const after = encodeState(state);
      expect(after).not.toBe(before);
      expect(decodeState(before)).toEqual(state);
      expect(decodeState(after)).toEqual(state);
    } finally {
      setButtonKey(DEFAULT_KEY_SECRET);
    }
    expect(encodeState(state)).toBe(before);
  });

  it("a button drawn by an earlier run with the same secret is still read (the key depends on the secret alone)", () => {
    setButtonKey("the signing secret of an earlier run");
    try {
      expect(
        decodeState("c3|Xy_9-abcdEFG|2|ssl-migration|3|U012AB3CD|ja|validity=valid|9bX3jVY_sgOBe6X2"),
      ).toEqual({
        owner: "U012AB3CD",
        id: "Xy_9-abcdEFG",
        seq: 2,
        consultation: { flowId: "ssl-migration", version: 3, lang: "ja", answers: [["validity", "valid"]] },
      });
    } finally {
      setButtonKey(DEFAULT_KEY_SECRET);
    }
  });

  it("an app set up again with the same secret (a restart in the same process) does not crowd out the other apps' keys", () => {
    const first = encodeState(state);
    setButtonKey("a second app's secret");
    try {
      for (let i = 0; i < 10; i++) setButtonKey("a second app's secret");
      expect(decodeState(first)).toEqual(state);
    } finally {
      setButtonKey(DEFAULT_KEY_SECRET);
    }
  });

  it("before any app sets a key (pure code, tests), values are signed with a fixed key; once an app sets one, those are refused", async () => {
    vi.resetModules();
    const fresh = await import("../../src/slack/state/codec.ts");
    const unkeyed = fresh.encodeState(state);
    expect(fresh.decodeState(unkeyed)).toEqual(state);
    // The fixed key is in the source for anyone to read: an app's buttons must not take it.
    fresh.setButtonKey(DEFAULT_KEY_SECRET);
    expect(fresh.decodeState(unkeyed)).toBeNull();
    expect(fresh.decodeState(fresh.encodeState(state))).toEqual(state);
  });

  it("a value of exactly Slack's 2000 characters is read; a longer one is refused even when signed", () => {
    const sized = (length: number): ButtonState => {
      const base = encodeState({ ...state, consultation: { ...state.consultation, answers: [] } }).length;
      // One answer "q=o…" adds its own length: make it fill the rest.
      const option = `o${"x".repeat(length - base - 3)}`;
      return { ...state, consultation: { ...state.consultation, answers: [["q", option]] } };
    };
    const exact = encodeState(sized(MAX_VALUE_LENGTH));
    expect(exact).toHaveLength(MAX_VALUE_LENGTH);
    expect(decodeState(exact)).toEqual(sized(MAX_VALUE_LENGTH));
    const over = encodeState(sized(MAX_VALUE_LENGTH + 1));
    expect(over).toHaveLength(MAX_VALUE_LENGTH + 1);
    expect(decodeState(over)).toBeNull();
  });

  it("reads a handoff's stored card without its signature, and the unsigned c2 form stored by earlier versions", () => {
    const value = encodeState(state);
    const body = value.slice(0, value.lastIndexOf("|"));
    expect(decodeStoredState(`${body}|${"x".repeat(16)}`)).toEqual(state);
    expect(decodeStoredState(`c2${body.slice(2)}`)).toEqual(state);
    expect(decodeStoredState("c1|ssl-migration|3|U012AB3CD|en|validity=valid")).toBeNull();
    expect(decodeStoredState("garbage")).toBeNull();
    // Only c3 (signature dropped) and c2: any other prefix on the same fields is refused.
    for (const prefix of ["c1", "c4", "C3", ""])
      expect(decodeStoredState(`${prefix}${body.slice(2)}`)).toBeNull();
  });

  it("a stored card is still read field by field: a malformed field (id, screen, flow, version, owner, language, answers) is refused", () => {
    const value = encodeState(state);
    // The unsigned c2 form: what the database may hold, read without any signature to vouch for it.
    const fields = `c2${value.slice(2, value.lastIndexOf("|"))}`.split("|");
    const withField = (at: number, text: string) => fields.map((f, i) => (i === at ? text : f)).join("|");
    expect(decodeStoredState(fields.join("|"))).toEqual(state);
    const [ID, SEQ, FLOW, VERSION, OWNER, LANG, ANSWERS, KEPT] = [1, 2, 3, 4, 5, 6, 7, 8];
    const refused: Array<[number, string]> = [
      [ID, ""],
      [ID, "abcde"],
      [ID, "a".repeat(33)],
      [ID, "abc.def"],
      [ID, ".abcdef"],
      [ID, "abcdef."],
      [SEQ, ""],
      [SEQ, "x"],
      [SEQ, "-1"],
      [SEQ, "1234567890"],
      [SEQ, "7x"],
      [SEQ, "x7"],
      [FLOW, ""],
      [FLOW, "-ssl"],
      [FLOW, "ssl migration"],
      [FLOW, "ssl/migration"],
      [VERSION, ""],
      [VERSION, "x3"],
      [VERSION, "3x"],
      [VERSION, "1234567890"],
      [OWNER, ""],
      [OWNER, "u012ab3cd"],
      [OWNER, "xU012AB3CD"],
      [OWNER, "U012AB3CDx"],
      [OWNER, "U".repeat(41)],
      [LANG, "fr"],
      [LANG, ""],
      [ANSWERS, "validity"],
      [ANSWERS, "validity="],
      [ANSWERS, "=valid"],
      [ANSWERS, "validity=valid=x"],
      [ANSWERS, "Validity=valid"],
      [ANSWERS, "validity=Valid"],
      [ANSWERS, "validity=valid,"],
      [ANSWERS, "1validity=valid"],
      [ANSWERS, "validity=1valid"],
      [ANSWERS, "validity=valid!"],
      [ANSWERS, "validity!=valid"],
      [KEPT, "issuer"],
      [KEPT, "issuer=us,"],
    ];
    for (const [at, text] of refused) {
      const edited = withField(at, text);
      expect(decodeStoredState(edited), edited).toBeNull();
    }
    // One field too many or too few.
    expect(decodeStoredState(`${fields.join("|")}|extra=x`)).toBeNull();
    expect(decodeStoredState(fields.slice(0, 7).join("|"))).toBeNull();
    // The widest fields the format allows are read back as they were written.
    const widest = {
      ...state,
      id: "a".repeat(32),
      seq: 999_999_999,
      owner: "W".repeat(40),
      consultation: { ...state.consultation, version: 999_999_999, answers: [], kept: {} },
    };
    const stored = encodeState(widest);
    expect(decodeStoredState(stored)).toEqual(widest);
    expect(decodeState(stored)).toEqual(widest);
    const narrowest = { ...state, id: "a".repeat(6), seq: 0, owner: "U" };
    expect(decodeStoredState(encodeState(narrowest))).toEqual(narrowest);
  });

  it("accepts only the canonical form: whatever it accepts, it would have written exactly so", () => {
    const real = encodeState(state);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 300 }),
          // A real value with a piece cut out, doubled, or replaced.
          fc
            .tuple(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 20 }))
            .map(([a, b, text]) => real.slice(0, Math.min(a, b)) + text + real.slice(Math.max(a, b))),
        ),
        (value) => {
          const decoded = decodeState(value);
          if (decoded !== null) expect(encodeState(decoded)).toBe(value);
        },
      ),
      { numRuns: runs(2000) },
    );
  });

  it("rejects anything it did not write", () => {
    for (const bad of [
      undefined,
      "",
      "garbage",
      "c0|ssl-migration|1|U1|ja|",
      "c1|ssl-migration|x|U1|ja|",
      "c1|ssl-migration|1|u1|ja|",
      "c1|ssl-migration|1|U1|fr|",
      "c1|ssl-migration|1|U1|ja|validity",
      "c1|ssl-migration|1|U1|ja|validity=valid=x",
      "c1|ssl-migration|1|U1|ja|Validity=valid",
      "c1|ssl-migration|1|U1|ja||a=b|extra",
      "c2|short|1|ssl-migration|1|U1|ja|",
      "c2|Xy_9-abcdEFG|x|ssl-migration|1|U1|ja|",
      "c2|Xy_9-abcdEFG|1|ssl-migration|1|U1|ja|validity",
      "c2|Xy_9|abcdEFG|1|ssl-migration|1|U1|ja|",
      "x".repeat(2001),
    ])
      expect(decodeState(bad)).toBeNull();
  });

  it("refuses to encode ids that would break the format", () => {
    expect(() =>
      encodeState({ ...state, consultation: { ...state.consultation, answers: [["a|b", "c"]] } }),
    ).toThrow();
    // Nor a value it could not read back: a bad flow id, owner, consultation id or screen counter.
    for (const bad of [
      { ...state, consultation: { ...state.consultation, flowId: "ssl|migration" } },
      { ...state, owner: "u012ab3cd" },
      { ...state, id: "short" },
      { ...state, id: "Xy_9|abcdEFG" },
      { ...state, seq: -1 },
      { ...state, seq: 1.5 },
      { ...state, seq: Number.NaN },
    ])
      expect(() => encodeState(bad), JSON.stringify(bad)).toThrow();
  });
});

describe("action ids", () => {
  it("parses every button the app draws, and nothing else", () => {
    expect(parseActionId("answer:validity:valid")).toEqual({
      kind: "answer",
      question: "validity",
      option: "valid",
    });
    expect(parseActionId("nav:back")).toEqual({ kind: "back" });
    expect(parseActionId("nav:restart")).toEqual({ kind: "restart" });
    expect(parseActionId("nav:lang:en")).toEqual({ kind: "lang", lang: "en" });
    expect(parseActionId("change:issuer")).toEqual({ kind: "change", question: "issuer" });
    expect(parseActionId("share")).toEqual({ kind: "share" });
    expect(parseActionId("start")).toEqual({ kind: "start" });
    expect(parseActionId("start:en")).toEqual({ kind: "start", lang: "en" });
    for (const bad of [
      "answer:validity",
      "nav:lang:fr",
      "nav:forward",
      "share:x",
      "start:de",
      "answer:a:b:c",
      "other",
    ])
      expect(parseActionId(bad)).toBeNull();
    expect(ACTION_PATTERN.test("answer:a:b")).toBe(true);
    expect(ACTION_PATTERN.test("answering")).toBe(false);
  });

  it("staff's and the result card's handoff buttons, and every near miss of a button id, which must not pass for one", () => {
    expect(parseActionId(actionIds.askStaff)).toEqual({ kind: "ask_staff" });
    expect(parseActionId(actionIds.take)).toEqual({ kind: "take" });
    expect(parseActionId(actionIds.lang("ja"))).toEqual({ kind: "lang", lang: "ja" });
    expect(parseActionId(actionIds.start("ja"))).toEqual({ kind: "start", lang: "ja" });
    expect(parseActionId(actionIds.start())).toEqual({ kind: "start" });
    for (const bad of [
      "",
      "answer",
      "answer::valid",
      "answer:validity:",
      "change",
      "change:",
      "change:issuer:x",
      "share:",
      "start:",
      "start:en:x",
      "start:ja:x",
      "handoff",
      "handoff:",
      "handoff:other",
      "handoff:ask:x",
      "handoff:take:x",
      "nav",
      "nav:",
      "nav:back:x",
      "nav:restart:x",
      "nav:lang",
      "nav:lang:",
      "nav:lang:en:x",
      "nav:other:en",
      "nav:back:en",
      "Answer:validity:valid",
    ])
      expect(parseActionId(bad), bad).toBeNull();
    // The listener's pattern: each of the app's own ids and nothing that merely contains one.
    for (const id of [
      "answer:a:b",
      "nav:back",
      "change:a",
      "share",
      "start",
      "start:en",
      "handoff:ask",
      "handoff:take",
    ])
      expect(ACTION_PATTERN.test(id), id).toBe(true);
    for (const id of ["xanswer:a:b", "my_share", "sharing", "navigate", "started", "handoffs", "other"])
      expect(ACTION_PATTERN.test(id), id).toBe(false);
  });
});

describe("slash command words", () => {
  it("reads language and help, in Japanese or English", () => {
    expect(parseCommandText("")).toEqual({ kind: "start", lang: "ja", explicitLang: false });
    expect(parseCommandText("en")).toEqual({ kind: "start", lang: "en", explicitLang: true });
    expect(parseCommandText(" EN ")).toMatchObject({ kind: "start", lang: "en" });
    expect(parseCommandText("help")).toMatchObject({ kind: "help", lang: "ja" });
    expect(parseCommandText("help en")).toMatchObject({ kind: "help", lang: "en" });
    expect(parseCommandText("ヘルプ")).toMatchObject({ kind: "help" });
    expect(parseCommandText("what")).toMatchObject({ kind: "help" });
    expect(parseCommandText("<@UBOT> 移転したい", "start")).toMatchObject({ kind: "start", lang: "ja" });
    expect(parseCommandText("<@UBOT>\u3000英語", "start")).toMatchObject({ kind: "start", lang: "en" });
  });
});

describe("small helpers", () => {
  it("clips by characters and splits long lists into sections under 3000 characters", () => {
    expect(clip("あいうえお", 3)).toBe("あい…");
    const lines = Array.from({ length: 100 }, (_, i) => `• line ${i} ${"あ".repeat(60)}`);
    const blocks = listSections("Title", lines, "list");
    expect(blocks.length).toBeGreaterThan(1);
    expect(checkBlocks(blocks)).toEqual([]);
    expect(blocks.map((b) => (b as { text: { text: string } }).text.text).join("\n")).toBe(
      ["*Title*", ...lines].join("\n"),
    );
  });

  it("escapes &, < and > for mrkdwn (and nothing else); clips only what is longer than the limit, in characters; a section may hold exactly 3000", () => {
    expect(escapeMrkdwn("R&D <staging> & more > less")).toBe("R&amp;D &lt;staging&gt; &amp; more &gt; less");
    expect(escapeMrkdwn("*bold* _it_ `code` 'q' \"qq\"")).toBe("*bold* _it_ `code` 'q' \"qq\"");
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
    // Three emoji are six UTF-16 units but three characters: they fit in three.
    expect(clip("😀😀😀", 3)).toBe("😀😀😀");
    expect(clip("😀😀😀😀", 3)).toBe("😀😀…");
    const exact = listSections("T", ["x".repeat(3000 - "*T*".length - 1)], "list");
    expect(exact).toHaveLength(1);
    expect(listSections("T", ["x".repeat(3000 - "*T*".length)], "list")).toHaveLength(2);
  });

  it("remembers keys for a while", () => {
    let now = 0;
    const recent = new RecentKeys(1000, 2, () => now);
    expect(recent.firstTime("a")).toBe(true);
    expect(recent.firstTime("a")).toBe(false);
    now = 1500;
    expect(recent.firstTime("a")).toBe(true);
    recent.firstTime("b");
    recent.firstTime("c");
    expect(recent.firstTime("a")).toBe(true); // evicted: at most 2 kept
  });

  it("the fake's Block Kit checks catch what Slack would refuse", () => {
    const button = (id: string, text = "ok", value = "v") => ({
      type: "button",
      action_id: id,
      text: { type: "plain_text", text },
      value,
    });
    expect(checkBlocks(Array.from({ length: 51 }, () => ({ type: "divider" })))).toHaveLength(1);
    expect(checkBlocks([{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }])).toHaveLength(
      1,
    );
    expect(checkBlocks([{ type: "actions", elements: [button("a", "x".repeat(76))] }])).toHaveLength(1);
    expect(checkBlocks([{ type: "actions", elements: [button("a", "ok", "x".repeat(2001))] }])).toHaveLength(
      1,
    );
    expect(checkBlocks([{ type: "actions", elements: [button("a"), button("a")] }])).toHaveLength(1);
    expect(
      checkBlocks([{ type: "header", text: { type: "plain_text", text: "x".repeat(151) } }]),
    ).toHaveLength(1);
  });

  it("a Slack id is a string of upper-case letters and digits, never something that merely prints as one", () => {
    for (const id of ["U012AB3CD", "W1", "T".repeat(40)]) {
      expect(isSlackId(id)).toBe(true);
      expect(slackIdOrUndefined(id)).toBe(id);
    }
    for (const bad of [
      12345,
      ["U012AB3CD"],
      { toString: () => "U012AB3CD" },
      "",
      "u012ab3cd",
      "U012AB3CD\n",
      "T".repeat(41),
      null,
      undefined,
    ]) {
      expect(isSlackId(bad), String(bad)).toBe(false);
      expect(slackIdOrUndefined(bad)).toBeUndefined();
    }
  });

  it("ids derived from different parts differ, however the parts are cut", () => {
    expect(derivedConsultationId("event", "Ev1")).toBe(derivedConsultationId("event", "Ev1"));
    expect(derivedConsultationId("ab", "c")).not.toBe(derivedConsultationId("a", "bc"));
    expect(derivedConsultationId("event", "Ev1")).not.toBe(derivedConsultationId("eventEv1"));
  });

  it("consultation ids never start with '-', which a spreadsheet reads as a formula in report's CSV", () => {
    // base64url starts one id in 64 with "-": 4,000 draws of each kind would miss that about once in 10^27.
    const firsts = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const id = newConsultationId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/);
      firsts.add(id.charAt(0));
      expect(derivedConsultationId("event", `Ev${i}`)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/);
    }
    // Only a leading "-" is replaced: the first character stays as random as the rest.
    expect(firsts.size).toBeGreaterThan(32);
  });
});
