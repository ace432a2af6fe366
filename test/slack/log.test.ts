import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MIN_SECRET_LENGTH } from "../../src/config.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger, describeError, forFramework, LogLevel } from "../../src/slack/log.ts";
import { ResponseUrlError } from "../../src/slack/responseUrl.ts";
import { BOT_TOKEN } from "../support/harness.ts";

/** A logger at `level` whose lines (with the level each was written at) are kept. */
function capture(options: { level?: "debug" | "info" | "warn" | "error"; secrets?: string[] } = {}) {
  const written: Array<{ line: string; level: string }> = [];
  const logger = createLogger({
    level: options.level ?? "debug",
    secrets: options.secrets ?? [],
    write: (line, level) => written.push({ line, level }),
  });
  /** The text after `<time> <LEVEL> [<name>] `. */
  const texts = () => written.map((w) => w.line.replace(/^\S+ [A-Z]+ \[[^\]]*\] /, ""));
  return { logger, written, texts };
}

describe("the log line", () => {
  it("is `<ISO time> <LEVEL> [ssl-move-bot] ` and the arguments, strings as they are, joined by spaces", () => {
    const { logger, written } = capture();
    logger.info("listening", { port: 3000 }, 7);
    expect(written).toEqual([
      {
        line: expect.stringMatching(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \[ssl-move-bot\] listening \{"port":3000\} 7$/,
        ),
        level: "info",
      },
    ]);
    logger.setName("other");
    logger.warn("x");
    expect(written[1]?.line).toMatch(/ WARN \[other\] x$/);
  });

  it("leaves out levels below LOG_LEVEL, and follows setLevel", () => {
    const { logger, written } = capture({ level: "warn" });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(written.map((w) => w.level)).toEqual(["warn", "error"]);
    expect(logger.getLevel()).toBe(LogLevel.WARN);
    logger.setLevel(LogLevel.DEBUG);
    logger.debug("d2");
    expect(written.map((w) => w.level)).toEqual(["warn", "error", "debug"]);
    expect(logger.getLevel()).toBe(LogLevel.DEBUG);
  });

  it("goes to stderr for warn and error, stdout for debug and info, one line each (without a write option)", () => {
    // Spies that still write: only what reaches the real streams is looked at.
    const out = vi.spyOn(process.stdout, "write");
    const err = vi.spyOn(process.stderr, "write");
    try {
      const logger = createLogger({ level: "debug", secrets: [] });
      for (const level of ["debug", "info", "warn", "error"] as const) logger[level](`stream-check-${level}`);
      const ours = (spy: typeof out) =>
        spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("stream-check-"));
      expect(ours(out)).toEqual([
        expect.stringMatching(/ DEBUG .*stream-check-debug\n$/),
        expect.stringMatching(/ INFO .*stream-check-info\n$/),
      ]);
      expect(ours(err)).toEqual([
        expect.stringMatching(/ WARN .*stream-check-warn\n$/),
        expect.stringMatching(/ ERROR .*stream-check-error\n$/),
      ]);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe("redaction", () => {
  it("any Slack token (not only ours, as inside an error body) is cut after its prefix, whole", () => {
    const { logger, texts } = capture();
    logger.error("Slack said: invalid xoxp-1111-2222-abcDEF, app xapp-1-A0B1-333-ff9e; retry");
    logger.error("bot xoxb-9-Zz and refresh xoxe-1-QQ end");
    expect(texts()).toEqual([
      "Slack said: invalid xoxp-[redacted], app xapp-[redacted]; retry",
      "bot xoxb-[redacted] and refresh xoxe-[redacted] end",
    ]);
  });

  it(`only secrets of at least ${MIN_SECRET_LENGTH} characters are redacted: an empty or short one would cut up every line`, () => {
    const exact = "k9Zq".slice(0, MIN_SECRET_LENGTH);
    const { logger, texts } = capture({ secrets: ["", "ab", exact] });
    logger.info(`ab cd ${exact} ab`);
    expect(texts()).toEqual(["ab cd [redacted] ab"]);
  });

  it("a secret that contains another is redacted whole, whatever order they were given in", () => {
    const short = "s3cr3t-base";
    const long = `${short}-TAIL-77`;
    for (const secrets of [
      [short, long],
      [long, short],
    ]) {
      const { logger, texts } = capture({ secrets });
      logger.info(`a ${long} b ${short} c`, { v: long });
      expect(texts()).toEqual(['a [redacted] b [redacted] c {"v":"[redacted]"}']);
    }
  });

  it("values under keys naming a credential are redacted, whatever they hold; other keys are kept", () => {
    const { logger, texts } = capture();
    logger.warn("request", {
      headers: { Authorization: "Bearer abc", Cookie: "sid=1", "X-Slack-Signature": "v0=ff" },
      token: { nested: "x" },
      client_secret: "short",
      user: "U1",
      channel: null,
    });
    expect(texts()).toEqual([
      'request {"headers":{"Authorization":"[redacted]","Cookie":"[redacted]","X-Slack-Signature":"[redacted]"},"token":"[redacted]","client_secret":"[redacted]","user":"U1","channel":null}',
    ]);
  });
});

describe("errors and odd values in a line", () => {
  const boom = () => Object.assign(new Error("boom"), { code: "E_BOOM" });

  it("an error is its facts on one line; only at debug is its stack added", () => {
    const { logger, texts } = capture();
    const error = boom();
    const facts = '{"name":"Error","message":"boom","code":"E_BOOM"}';
    for (const level of ["info", "warn", "error"] as const) logger[level](error);
    logger.debug(error);
    expect(texts()).toEqual([facts, facts, facts, `${facts}\n${error.stack}`]);
  });

  it("an error inside an object is its facts too (JSON would make it `{}`)", () => {
    const { logger, texts } = capture();
    logger.error("failed", { error: boom(), list: [boom()] });
    const facts = '{"name":"Error","message":"boom","code":"E_BOOM"}';
    expect(texts()).toEqual([`failed {"error":${facts},"list":[${facts}]}`]);
  });

  it("a circular object is logged with the cycle marked; what JSON cannot hold is logged as text", () => {
    const { logger, texts } = capture();
    const node: Record<string, unknown> = { id: "n1", none: null };
    node.self = node;
    logger.info("graph", node);
    logger.info("big", 10n);
    expect(texts()).toEqual(['graph {"id":"n1","none":null,"self":"[circular]"}', "big 10"]);
  });

  it("an object met twice without a cycle is logged both times; a cycle deeper down is still marked", () => {
    const { logger, texts } = capture();
    const team = { id: "T1" };
    const a: Record<string, unknown> = { name: "a" };
    const b: Record<string, unknown> = { name: "b", a };
    a.b = b;
    // An error among shared values: its facts are a new object, and the walk must go on past it.
    logger.info("ctx", { from: team, to: team, error: boom(), again: [team], ring: a });
    const facts = '{"name":"Error","message":"boom","code":"E_BOOM"}';
    expect(texts()).toEqual([
      `ctx {"from":{"id":"T1"},"to":{"id":"T1"},"error":${facts},"again":[{"id":"T1"}],"ring":{"name":"a","b":{"name":"b","a":"[circular]"}}}`,
    ]);
  });
});

describe("the logger given to Bolt (forFramework)", () => {
  it("drops its debug lines, passes the others at their level, and keeps the app's level", () => {
    const { logger, written } = capture({ level: "debug" });
    const framework = forFramework(logger);
    framework.debug("body with customer text");
    framework.info("i");
    framework.warn("w");
    framework.error("e");
    expect(written.map((w) => [w.level, w.line.split("] ")[1]])).toEqual([
      ["info", "i"],
      ["warn", "w"],
      ["error", "e"],
    ]);
    // Bolt reads the level to decide what to build; at debug it must not build its debug lines.
    expect(framework.getLevel()).toBe(LogLevel.INFO);
    framework.setLevel(LogLevel.ERROR);
    expect(logger.getLevel()).toBe(LogLevel.DEBUG);
    logger.setLevel(LogLevel.WARN);
    expect(framework.getLevel()).toBe(LogLevel.WARN);
  });
});

describe("describeError: the facts of errors the Web API client really throws", () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const client = (slackApiUrl: string) =>
    new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // The client's own complaints are not what is looked at here.
      logger: createLogger({ level: "error", secrets: [], write: () => {} }),
    });
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => expect.fail("the call succeeded"),
      (e) => e,
    );

  it("Slack's error code, HTTP status, rate limit and cause", async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    const web = client(fake.apiUrl);
    fake.failNext("chat.postMessage", { error: "channel_not_found" });
    expect(describeError(await failure(web.chat.postMessage({ channel: "C1", text: "x" })))).toMatchObject({
      code: "slack_webapi_platform_error",
      slackError: "channel_not_found",
    });
    fake.failNext("chat.postMessage", { status: 503 });
    expect(describeError(await failure(web.chat.postMessage({ channel: "C1", text: "x" })))).toMatchObject({
      code: "slack_webapi_http_error",
      status: 503,
    });
    fake.failNext("chat.postMessage", { status: 429, retryAfterS: 7 });
    expect(describeError(await failure(web.chat.postMessage({ channel: "C1", text: "x" })))).toMatchObject({
      code: "slack_webapi_rate_limited_error",
      retryAfter: 7,
    });
    const closed = fake.apiUrl;
    await fake.close();
    fake = undefined;
    const refused = await failure(client(closed).chat.postMessage({ channel: "C1", text: "x" }));
    // fetch says only "fetch failed"; the code one level down is what an operator needs. Which
    // one depends on whether the client's kept-alive socket saw the close before the new request.
    expect(describeError(refused)).toMatchObject({
      code: "slack_webapi_request_error",
      cause: (refused as { original: Error }).original.message,
      causeCode: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/),
    });
  });

  it("Slack's details of a refused call (response_metadata.messages)", async () => {
    const messages = ["[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]"];
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ ok: false, error: "invalid_blocks", response_metadata: { messages } })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
      const error = await failure(client(url).chat.postMessage({ channel: "C1", text: "x" }));
      expect(describeError(error)).toMatchObject({ slackError: "invalid_blocks", details: messages });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("a plain error has its name and message only; a response_url refusal its status; anything else is text", () => {
    expect(describeError(new TypeError("bad"))).toStrictEqual({ name: "TypeError", message: "bad" });
    expect(describeError(new ResponseUrlError(410, "used_url"))).toStrictEqual({
      name: "ResponseUrlError",
      message: "response_url answered 410: used_url",
      status: 410,
    });
    expect(describeError("just text")).toStrictEqual({ error: "just text" });
    expect(describeError(undefined)).toStrictEqual({ error: "undefined" });
  });
});
