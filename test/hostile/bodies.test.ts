import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET } from "../support/harness.ts";
import { runs } from "../support/propertyRuns.ts";
import { sign } from "../support/signedClient.ts";
import {
  clientText,
  eventsOf,
  expectHealthy,
  FORM,
  formPayload,
  freshClick,
  type Hostile,
  JSON_TYPE,
  sendRaw,
  signedHeaders,
  startHostile,
  UNACKED_MS,
} from "./support.ts";

/**
 * Whole request bodies that are not Slack's: the properties pin down exactly
 * what Bolt 5.1's HTTPReceiver answers, and that the app does nothing with them.
 */

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Keys Bolt routes on (an event, a command, an action, …); bodies without them reach no listener. */
const ROUTING_KEYS = new Set([
  "event",
  "command",
  "name",
  "actions",
  "type",
  "ssl_check",
  "payload",
  "callback_id",
  "view",
  "challenge",
  "token",
]);
const key = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((k) => !ROUTING_KEYS.has(k) && !k.includes("__proto__"));
const leafJson = fc.oneof(
  clientText({ maxLength: 40 }),
  fc.integer(),
  // No ±Infinity: JSON.stringify writes it as `null`, a body that is no body at all (400, in `unparseable`).
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
/** Parseable JSON that names nothing Bolt knows: scalars, arrays, objects with unrouted keys. */
const meaninglessJson = fc.oneof(
  leafJson,
  fc.array(fc.oneof(leafJson, fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(key, fc.oneof(leafJson, fc.constant(null)), { maxKeys: 5 }),
);

const ws = fc.array(fc.constantFrom(" ", "\t", "\n", "\r"), { maxLength: 4 }).map((a) => a.join(""));

/** Bodies Bolt cannot parse, with the content type they are sent with. */
const unparseable = fc.oneof(
  // Bad JSON in payload= (a truncated real-looking payload, or any non-JSON text).
  fc
    .tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat())
    .map(([v, cut]) => {
      const text = JSON.stringify({ type: "block_actions", v });
      return text.slice(0, cut % text.length);
    })
    .filter((t) => !isJson(t))
    .map((t) => ({ body: formPayload(t), contentType: FORM })),
  clientText({ maxLength: 200 })
    .filter((t) => !isJson(t))
    .map((t) => ({ body: formPayload(t), contentType: FORM })),
  // A JSON body that is not JSON.
  clientText({ maxLength: 200 })
    .filter((t) => !isJson(t))
    .map((t) => ({ body: t, contentType: JSON_TYPE })),
  // Slack's form with a charset suffix is read as JSON by Bolt, so it never parses.
  clientText({ maxLength: 100 }).map((t) => ({
    body: formPayload(t),
    contentType: `${FORM}; charset=utf-8`,
  })),
  // JSON `null` (bare, or as the payload field): parses, but is no body at all.
  fc.tuple(ws, ws).map(([a, b]) => ({ body: `${a}null${b}`, contentType: JSON_TYPE })),
  fc.tuple(ws, ws).map(([a, b]) => ({ body: formPayload(`${a}null${b}`), contentType: FORM })),
);

describe("hostile request bodies", () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile();
  });
  afterAll(async () => {
    await hostile.close();
  });

  it("a signed body Bolt cannot parse is answered 400 at once; nothing is called or recorded", async () => {
    const { h, records } = hostile;
    await fc.assert(
      fc.asyncProperty(unparseable, async ({ body, contentType }) => {
        const mark = h.fake.mark();
        const before = records.events().length;
        const res = await sendRaw(h, body, contentType);
        await h.idle();
        expect(res.status).toBe(400);
        expect(res.ms).toBeLessThan(1000);
        expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
        await records.settle();
        expect(records.events()).toHaveLength(before);
        expect(hostile.crashes).toEqual([]);
      }),
      { numRuns: runs(120) },
    );
    await expectHealthy(hostile);
  });

  it("a real click cut short anywhere (as a dropped connection would leave it), signed as sent: 400 at once, the message and records stay", async () => {
    const { h } = hostile;
    const { message, payload, id } = await freshClick(h);
    // Cut between code points: half a surrogate pair is not text a client can send.
    const chars = Array.from(JSON.stringify(payload));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: chars.length - 1 }), async (cut) => {
        const mark = h.fake.mark();
        const res = await sendRaw(h, formPayload(chars.slice(0, cut).join("")), FORM);
        await h.idle();
        expect(res.status).toBe(400);
        expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
      }),
      { numRuns: runs(80) },
    );
    expect(h.fake.message(message.channel, message.ts)?.updates).toBe(0);
    expect((await eventsOf(hostile, id)).map((e) => e.kind)).toEqual(["started"]);
    await expectHealthy(hostile);
  });

  it("the 400's log line says the body was malformed without quoting it", async () => {
    const { h } = hostile;
    const marker = "secretvalue123";
    for (const [body, contentType] of [
      [formPayload(marker), FORM],
      [formPayload(`{"type":"block_actions","user":"${marker}`), FORM],
      [`{"event": ${marker}}`, JSON_TYPE],
      [formPayload(marker), `${FORM}; charset=utf-8`],
    ] as const) {
      const logged = h.logs.length;
      const res = await sendRaw(h, body, contentType);
      expect(res.status).toBe(400);
      const lines = h.logs.slice(logged);
      expect(lines.filter((l) => l.includes("WARN") && l.includes("Malformed request body"))).toHaveLength(1);
      expect(lines.join("\n")).not.toContain(marker);
    }
  });

  it("a JSON null body with a forged or missing signature is refused 401, not read as malformed (400)", async () => {
    const { h } = hostile;
    const mark = h.fake.mark();
    for (const [body, contentType] of [
      ["null", JSON_TYPE],
      [formPayload("null"), FORM],
    ] as const) {
      expect((await sendRaw(h, body, contentType)).status, body).toBe(400);
      expect((await sendRaw(h, body, contentType, { signature: "v0=0000" })).status, body).toBe(401);
      const unsigned = {
        headers: { "x-slack-signature": undefined, "x-slack-request-timestamp": undefined },
      };
      expect((await sendRaw(h, body, contentType, unsigned)).status, body).toBe(401);
    }
    await h.idle();
    expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
  });

  it("only a POST to /slack/events is read here: a signed null sent elsewhere or with another method gets Bolt's 404", async () => {
    const { h } = hostile;
    const body = "null";
    const { port } = new URL(h.client.url);
    for (const [method, path] of [
      ["POST", "/elsewhere"],
      ["PUT", "/slack/events"],
    ] as const) {
      const { timestamp, signature } = signedHeaders(body);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: Number(port),
            method,
            path,
            headers: {
              "content-type": JSON_TYPE,
              "x-slack-request-timestamp": String(timestamp),
              "x-slack-signature": signature,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      expect(status, `${method} ${path}`).toBe(404);
    }
  });

  it("Slack's unsigned ssl_check is answered 200, even with a smuggled JSON null payload (Bolt strips it)", async () => {
    const { h } = hostile;
    const mark = h.fake.mark();
    for (const body of ["ssl_check=1", "ssl_check=1&payload=null", `ssl_check=1&${formPayload(" null")}`]) {
      const unsigned = {
        headers: { "x-slack-signature": undefined, "x-slack-request-timestamp": undefined },
      };
      const res = await sendRaw(h, body, FORM, unsigned);
      expect(res.status, body).toBe(200);
    }
    await h.idle();
    expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
    expect(hostile.crashes).toEqual([]);
  });

  it("a body over Bolt's 4 MB limit is refused 413 without being processed, signed or not", async () => {
    const { h, records } = hostile;
    const { payload } = await freshClick(h);
    // A real click padded past the limit: the padding rides in a field nobody reads.
    const big = formPayload(JSON.stringify({ ...payload, padding: "x".repeat(4 * 1024 * 1024) }));
    await records.settle(); // the "started" record of the fresh consultation
    const before = records.events().length;
    for (const signature of [undefined, "v0=0000"]) {
      const mark = h.fake.mark();
      const res = await sendRaw(h, big, FORM, signature ? { signature } : {});
      await h.idle();
      expect(res.status).toBe(413);
      expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
    }
    await records.settle();
    expect(records.events()).toHaveLength(before);
    expect(hostile.crashes).toEqual([]);
    await expectHealthy(hostile);
  });

  it("a signed body that parses but names nothing gets Bolt's unacknowledged answer: 404 after 3 s", async () => {
    const { h, records } = hostile;
    const body = fc.oneof(
      meaninglessJson.map((v) => ({ body: JSON.stringify(v), contentType: JSON_TYPE })),
      meaninglessJson.map((v) => ({ body: formPayload(JSON.stringify(v)), contentType: FORM })),
      fc
        .dictionary(key, clientText({ maxLength: 30 }), { maxKeys: 4 })
        .map((fields) => ({ body: new URLSearchParams(fields).toString(), contentType: FORM })),
    );
    // Each run sends a batch at once, so the 3 s waits overlap: about 200 bodies in 15 s.
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 20, maxLength: 60 }), async (batch) => {
        const mark = h.fake.mark();
        const before = records.events().length;
        const answers = await Promise.all(batch.map((b) => sendRaw(h, b.body, b.contentType)));
        await h.idle();
        for (const res of answers) {
          expect(res.status).toBe(404);
          expect(res.ms).toBeGreaterThanOrEqual(UNACKED_MS - 50);
        }
        expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
        await records.settle();
        expect(records.events()).toHaveLength(before);
        expect(hostile.crashes).toEqual([]);
      }),
      { numRuns: runs(5) },
    );
    await expectHealthy(hostile);
  });

  it("a real click in a shape Slack never sends (encoding, content type, type, actions): the exact answer, and advanced only where it is still the owner's click", async () => {
    const { h } = hostile;
    type Click = Record<string, unknown> & { actions: Array<Record<string, unknown>> };
    const form = (payload: unknown) => formPayload(JSON.stringify(payload));
    const cases: Array<{
      name: string;
      send: (payload: Click) => {
        body: string;
        contentType: string;
        headers?: Record<string, string | undefined>;
      };
      status: 200 | 400 | 401 | 404;
      advances: boolean;
    }> = [
      {
        name: "the payload field twice",
        send: (p) => ({ body: `${form(p)}&${form(p)}`, contentType: FORM }),
        status: 404,
        advances: false,
      },
      {
        name: "sent as JSON",
        send: (p) => ({ body: JSON.stringify(p), contentType: JSON_TYPE }),
        status: 200,
        advances: true,
      },
      {
        name: "sent as text/plain",
        send: (p) => ({ body: form(p), contentType: "text/plain" }),
        status: 400,
        advances: false,
      },
      {
        name: "without a content type",
        send: (p) => ({ body: form(p), contentType: FORM, headers: { "content-type": undefined } }),
        status: 400,
        advances: false,
      },
      {
        name: "the form type in capitals",
        send: (p) => ({ body: form(p), contentType: FORM.toUpperCase() }),
        status: 400,
        advances: false,
      },
      {
        name: "a BOM before the payload JSON",
        send: (p) => ({ body: formPayload(`\ufeff${JSON.stringify(p)}`), contentType: FORM }),
        status: 400,
        advances: false,
      },
      {
        name: "garbage after the payload JSON",
        send: (p) => ({ body: formPayload(`${JSON.stringify(p)}}x`), contentType: FORM }),
        status: 400,
        advances: false,
      },
      {
        name: "content-encoding gzip on a plain body (the signature vouches for the bytes)",
        send: (p) => ({ body: form(p), contentType: FORM, headers: { "content-encoding": "gzip" } }),
        status: 200,
        advances: true,
      },
      {
        name: "type view_submission",
        send: (p) => ({
          body: form({ ...p, type: "view_submission", view: { id: "V1" } }),
          contentType: FORM,
        }),
        status: 200,
        advances: false,
      },
      {
        name: "type block_suggestion",
        send: (p) => ({
          body: form({ ...p, type: "block_suggestion", action_id: p.actions[0]?.action_id }),
          contentType: FORM,
        }),
        status: 404,
        advances: false,
      },
      {
        name: "another action first",
        send: (p) => ({
          body: form({
            ...p,
            actions: [{ type: "button", action_id: "someone_else", block_id: "b" }, ...p.actions],
          }),
          contentType: FORM,
        }),
        status: 404,
        advances: false,
      },
      {
        name: "our action twice",
        send: (p) => ({ body: form({ ...p, actions: [...p.actions, ...p.actions] }), contentType: FORM }),
        status: 200,
        advances: true,
      },
      {
        name: "__proto__ keys",
        send: (p) => ({
          body: formPayload(
            JSON.stringify(p).replace(
              "{",
              '{"__proto__":{"polluted":"~yes"},"constructor":{"prototype":{"polluted":"~yes"}},',
            ),
          ),
          contentType: FORM,
        }),
        status: 200,
        advances: true,
      },
    ];
    const results = await Promise.all(
      cases.map(async (c) => {
        const { message, payload, id } = await freshClick(h);
        const { body, contentType, headers } = c.send(payload as Click);
        const res = await sendRaw(h, body, contentType, headers ? { headers } : {});
        return { c, message, id, res };
      }),
    );
    await h.idle();
    const seen = await Promise.all(
      results.map(async ({ c, message, id, res }) => {
        const advanced = h.fake.message(message.channel, message.ts)?.updates === 1;
        const kinds = (await eventsOf(hostile, id)).map((e) => e.kind);
        return `${c.name}: ${res.status} ${advanced ? "advanced" : "left"} ${kinds.join(",")}${res.status === 404 && res.ms < UNACKED_MS - 50 ? " (early 404)" : ""}`;
      }),
    );
    expect(seen).toEqual(
      cases.map(
        (c) =>
          `${c.name}: ${c.status} ${c.advances ? "advanced" : "left"} started${c.advances ? ",answered" : ""}`,
      ),
    );
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    await expectHealthy(hostile);
  });

  it("a real click with a forged, stale or mismatched signature is refused 401; the message and records stay", async () => {
    const { h } = hostile;
    const forgery = fc.oneof(
      fc.record({ kind: fc.constant("random hex" as const), hex: fc.stringMatching(/^[0-9a-f]{64}$/) }),
      fc.record({
        kind: fc.constant("other secret" as const),
        secret: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== SIGNING_SECRET),
      }),
      fc.record({
        kind: fc.constant("stale" as const),
        ageSeconds: fc.integer({ min: 5 * 60 + 2, max: 10 ** 8 }),
      }),
      fc.record({
        kind: fc.constant("body changed" as const),
        at: fc.nat(),
        char: fc.string({ minLength: 1, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant("garbage header" as const), header: fc.string({ maxLength: 80 }) }),
      fc.record({ kind: fc.constant("garbage timestamp" as const), ts: fc.string({ maxLength: 12 }) }),
      fc.record({
        kind: fc.constant("unsigned" as const),
        leaveOut: fc.subarray(["x-slack-signature", "x-slack-request-timestamp"], { minLength: 1 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (f) => {
        const { message, payload, id } = await freshClick(h);
        const body = formPayload(JSON.stringify(payload));
        const now = Math.floor(Date.now() / 1000);
        const mark = h.fake.mark();
        let res: { status: number };
        switch (f.kind) {
          case "random hex":
            res = await sendRaw(h, body, FORM, { signature: `v0=${f.hex}` });
            break;
          case "other secret":
            res = await sendRaw(h, body, FORM, { signature: sign(f.secret, now, body) });
            break;
          case "stale":
            res = await sendRaw(h, body, FORM, { timestamp: now - f.ageSeconds });
            break;
          case "body changed": {
            const at = f.at % body.length;
            const changed = body.slice(0, at) + f.char + body.slice(at);
            res = await sendRaw(h, changed, FORM, {
              signature: sign(SIGNING_SECRET, now, body),
              timestamp: now,
            });
            break;
          }
          case "garbage header":
            res = await sendRaw(h, body, FORM, { signature: f.header });
            break;
          case "garbage timestamp":
            res = await sendRaw(h, body, FORM, {
              signature: sign(SIGNING_SECRET, now, body),
              headers: { "x-slack-request-timestamp": f.ts.replace(/[^\x21-\x7e]/g, "") || "x" },
            });
            break;
          case "unsigned":
            res = await sendRaw(h, body, FORM, {
              headers: Object.fromEntries(f.leaveOut.map((name) => [name, undefined])),
            });
            break;
        }
        await h.idle();
        expect(res.status).toBe(401);
        expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
        expect(h.fake.message(message.channel, message.ts)?.updates).toBe(0);
        expect((await eventsOf(hostile, id)).map((e) => e.kind)).toEqual(["started"]);
      }),
      { numRuns: runs(40) },
    );
    await expectHealthy(hostile);
  });
});
