import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatConfigProblems, loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../support/harness.ts";
import { eventEnvelope, slashCommand } from "../support/payloads.ts";
import { sign } from "../support/signedClient.ts";
import {
  CHANNEL,
  expectHealthy,
  expectNoSecrets,
  FORM,
  formPayload,
  freshClick,
  type Hostile,
  JSON_TYPE,
  OWNER,
  sendRaw,
  startHostile,
} from "./support.ts";

/** Secrets never reach the log or an error message, even when the input carries them. */

const SECRETS = [BOT_TOKEN, SIGNING_SECRET];
/** The secrets, halves of them, and the secrets wrapped in other text or encodings. */
const secretish = fc.oneof(
  fc.constantFrom(...SECRETS),
  fc.constantFrom(...SECRETS).chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))),
  fc.constantFrom(...SECRETS).chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(n))),
  fc
    .tuple(fc.string({ maxLength: 5 }), fc.constantFrom(...SECRETS), fc.string({ maxLength: 5 }))
    .map(([a, s, b]) => a + s + b),
  fc.constantFrom(...SECRETS).map((s) => `https://evil.example/${s}?token=${s}`),
  fc.constantFrom(...SECRETS).map((s) => s.split("").join(" ")),
);

const where = fc.constantFrom(
  "user.id",
  "user.name",
  "value",
  "action_id",
  "team.id",
  "response_url",
  "command text",
  "command user_id",
  "mention text",
  "event team_id",
  "bad json",
  "signature",
);

describe("no secrets in logs", () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile();
  });
  afterAll(async () => {
    await hostile.close();
  });

  it("hostile input carrying the token or the signing secret (whole, halves, wrapped) never puts either in a debug log line", async () => {
    const { h } = hostile;
    await fc.assert(
      fc.asyncProperty(where, secretish, async (place, secret) => {
        const logged = h.logs.length;
        const { payload } = await freshClick(h);
        const action = payload.actions[0] as Record<string, unknown>;
        const user = payload.user as Record<string, unknown>;
        const send = (p: unknown) => sendRaw(h, formPayload(JSON.stringify(p)), FORM);
        switch (place) {
          case "user.id":
            user.id = secret;
            await send(payload);
            break;
          case "user.name":
            user.name = secret;
            user.username = secret;
            await send(payload);
            break;
          case "value":
            action.value = secret;
            await send(payload);
            break;
          case "action_id":
            action.action_id = `answer:${secret}`;
            await send(payload);
            break;
          case "team.id":
            payload.team = { id: secret };
            await send(payload);
            break;
          case "response_url":
            payload.response_url = secret;
            await send(payload);
            break;
          case "command text":
          case "command user_id": {
            const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: OWNER });
            const fields = slashCommand({ user: OWNER, channel: CHANNEL, responseUrl, text: secret });
            if (place === "command user_id") fields.user_id = secret;
            await sendRaw(h, new URLSearchParams(fields).toString(), FORM);
            break;
          }
          case "mention text":
          case "event team_id": {
            const event = { type: "app_mention", user: OWNER, channel: CHANNEL, text: secret, ts: "1.1" };
            const envelope = {
              ...eventEnvelope(event),
              ...(place === "event team_id" ? { team_id: secret } : {}),
            };
            await sendRaw(h, JSON.stringify(envelope), JSON_TYPE);
            break;
          }
          case "bad json":
            await sendRaw(h, formPayload(`{"token":"${secret}"`), FORM);
            break;
          case "signature": {
            const body = formPayload(JSON.stringify(payload));
            await sendRaw(h, body, FORM, {
              signature: `v0=${secret}`,
              headers: { "x-slack-request-timestamp": secret.replace(/[^\x21-\x7e]/g, "") || "0" },
            });
            await sendRaw(h, body, FORM, { signature: sign(secret, Math.floor(Date.now() / 1000), body) });
            break;
          }
        }
        await h.idle();
        expect(h.logs.length).toBeGreaterThan(logged); // debug logging saw this request
        expectNoSecrets(h.logs.slice(logged), SECRETS);
      }),
      { numRuns: 80 },
    );
    expectNoSecrets(h.logs, SECRETS);
    await expectHealthy(hostile);
  });
});

describe("no secrets in configuration errors", () => {
  // Marked so a secret never equals a word of a message by chance.
  const secret = fc.stringMatching(/^[A-Za-z0-9]{10,24}$/).map((s) => `Zq${s}`);
  const env = fc.record({
    token: secret,
    signing: secret,
    app: secret,
    password: secret,
    // Each variable either holds a secret in a wrong shape, a secret where it does not belong, or nothing.
    shape: fc.record({
      SLACK_BOT_TOKEN: fc.constantFrom("bare", "xoxp", "spaced", "ok", "unset"),
      SLACK_APP_TOKEN: fc.constantFrom("bare", "ok", "unset"),
      DATABASE_URL: fc.constantFrom("mysql", "spaced", "ok", "unset", "no-scheme"),
      PORT: fc.constantFrom("secret", "ok", "unset"),
      SOCKET_MODE: fc.constantFrom("secret", "true", "false", "unset"),
      LOG_LEVEL: fc.constantFrom("secret", "debug", "unset"),
      STAFF_CHANNEL_ID: fc.constantFrom("secret", "unset"),
      SLACK_API_URL: fc.constantFrom("secret", "unset"),
    }),
  });

  it("loadConfig names the variable and the problem but never echoes a value", () => {
    fc.assert(
      fc.property(env, ({ token, signing, app, password, shape }) => {
        const e: Record<string, string | undefined> = { SLACK_SIGNING_SECRET: signing };
        const pick = <T extends string>(kind: T, map: Partial<Record<T, string>>) => map[kind];
        e.SLACK_BOT_TOKEN = pick(shape.SLACK_BOT_TOKEN, {
          bare: token,
          xoxp: `xoxp-${token}`,
          spaced: `xoxb-${token} ${token}`,
          ok: `xoxb-${token}`,
        });
        e.SLACK_APP_TOKEN = pick(shape.SLACK_APP_TOKEN, { bare: app, ok: `xapp-${app}` });
        e.DATABASE_URL = pick(shape.DATABASE_URL, {
          mysql: `mysql://u:${password}@db/x`,
          spaced: `postgres://u:${password} @db/x`,
          ok: `postgres://u:${password}@db/x`,
          "no-scheme": `u:${password}@db/x`,
        });
        e.PORT = pick(shape.PORT, { secret: token, ok: "3000" });
        e.SOCKET_MODE = pick(shape.SOCKET_MODE, { secret: app, true: "true", false: "false" });
        e.LOG_LEVEL = pick(shape.LOG_LEVEL, { secret: signing, debug: "debug" });
        e.STAFF_CHANNEL_ID = pick(shape.STAFF_CHANNEL_ID, { secret: password });
        e.SLACK_API_URL = pick(shape.SLACK_API_URL, { secret: `ftp://x/${token}` });
        const result = loadConfig(e);
        if (result.ok) return;
        const text = [...result.problems, formatConfigProblems(result.problems)].join("\n");
        for (const s of [token, signing, app, password]) expect(text).not.toContain(s);
        expect(result.problems.length).toBeGreaterThan(0);
        for (const p of result.problems) expect(p).toMatch(/^[A-Z_]+(\.\d+)?: |^environment: /);
      }),
      { numRuns: 300 },
    );
  });
});

describe("the logger's redaction", () => {
  it("a secret (any characters) inside strings, objects or errors at any level never reaches the output, raw or JSON-escaped", () => {
    const secret = fc
      .string({ minLength: 6, maxLength: 30, unit: "binary" })
      .filter((s) => s.trim().length >= 6);
    const wrap = fc.constantFrom<(s: string) => unknown>(
      (s) => s,
      (s) => `before ${s} after`,
      (s) => ({ note: `x${s}y` }),
      (s) => ({ nested: [{ deep: s }] }),
      (s) => new Error(`failed with ${s}`),
      (s) => Object.assign(new Error("slack said no"), { data: { error: s } }),
      (s) => ({ url: `postgres://u:${s}@db/x` }),
    );
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        wrap,
        fc.constantFrom("debug", "info", "warn", "error") as fc.Arbitrary<"debug">,
        (secrets, make, level) => {
          const lines: string[] = [];
          const logger = createLogger({ level: "debug", secrets, write: (line) => lines.push(line) });
          for (const s of secrets) logger[level]("context", make(s));
          expect(lines.length).toBe(secrets.length);
          expectNoSecrets(lines, secrets);
        },
      ),
      { numRuns: 300 },
    );
  });
});
