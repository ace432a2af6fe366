import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { createSlackApp, StartError } from "../../src/slack/app.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, loadDefaultFlow, SIGNING_SECRET, testConfig } from "../support/harness.ts";
import { slashCommand } from "../support/payloads.ts";
import { SignedClient } from "../support/signedClient.ts";

/** What a promise rejected with, or undefined if it resolved. */
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/**
 * The app's start and stop in this process (npm start's own output is in startup.test.ts):
 * a failed start names the step whose setting to check, and stop closes what start opened.
 */

const APP_TOKEN = "xapp-1-start-and-stop";
const fakes: FakeSlack[] = [];
const crashes: unknown[] = [];
const onCrash = (reason: unknown) => void crashes.push(reason);
beforeEach(() => {
  crashes.length = 0;
  process.on("unhandledRejection", onCrash);
});
afterEach(async () => {
  process.off("unhandledRejection", onCrash);
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fakeSlack(options: { botToken: string; appToken?: string }): Promise<FakeSlack> {
  const fake = await startFakeSlack(options);
  fakes.push(fake);
  return fake;
}

function app(fake: FakeSlack, config: Partial<Config> = {}) {
  const lines: string[] = [];
  const slack = createSlackApp({
    config: { ...testConfig(fake.apiUrl), ...config },
    compiled: loadDefaultFlow(),
    logger: createLogger({ level: "debug", secrets: [BOT_TOKEN, APP_TOKEN], write: (l) => lines.push(l) }),
    retries: 0,
  });
  return { slack, lines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** Whether anything still accepts a connection on the port. */
function accepts(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => true,
    () => false,
  );
}

describe("a start that fails names its step", () => {
  it("a bot token Slack refuses: bot_token, with Slack's reason; auth.test waits for start, and nothing rejects unhandled", async () => {
    const fake = await fakeSlack({ botToken: "xoxb-the-right-one" });
    const { slack, lines } = app(fake);
    await settle();
    // Checked in start, where its failure is awaited and reported, not when the app is built.
    expect(fake.calls.filter((c) => c.method === "auth.test")).toEqual([]);
    const failed = await failureOf(slack.start());
    expect(failed).toBeInstanceOf(StartError);
    expect(failed).toMatchObject({ step: "bot_token", message: expect.stringContaining("invalid_auth") });
    await settle();
    expect(crashes.map(String)).toEqual([]);
    // Nothing was started, so nothing is stopped (nor warned about).
    expect(await slack.stop(1000)).toEqual({ drained: true });
    expect(lines.filter((l) => / WARN /.test(l))).toEqual([]);
  });

  it("an app-level token Slack refuses (Socket Mode): app_token, with Slack's reason", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN, appToken: "xapp-1-the-right-one" });
    const { signingSecret: _unused, ...http } = testConfig(fake.apiUrl);
    const { slack } = app(fake, { ...http, socketMode: true, appToken: APP_TOKEN });
    const failed = await failureOf(slack.start());
    expect(failed).toBeInstanceOf(StartError);
    expect(failed).toMatchObject({ step: "app_token", message: expect.stringContaining("invalid_auth") });
    await slack.stop(1000);
    await settle();
    expect(crashes.map(String)).toEqual([]);
  });

  it("a port in use (HTTP): listen, with the system's reason", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { slack } = app(fake, { port });
      const failed = await failureOf(slack.start());
      expect(failed).toBeInstanceOf(StartError);
      expect(failed).toMatchObject({ step: "listen", message: expect.stringContaining("EADDRINUSE") });
      await slack.stop(1000);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("stop", () => {
  it("HTTP: resolves once the acknowledged command has answered, and the port then takes no connection", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN });
    const { slack, lines } = app(fake);
    const { port } = await slack.start();
    if (port === undefined) throw new Error("no port");
    expect(await accepts(port)).toBe(true);
    const client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
    const responseUrl = fake.responseUrl({ channel: "C1", user: "UOWNER" });
    fake.failNext("response_url", { delayMs: 400 });
    expect((await client.command(slashCommand({ user: "UOWNER", channel: "C1", responseUrl }))).status).toBe(
      200,
    );
    client.close();
    const stopped = await slack.stop(5000);
    expect(stopped).toEqual({ drained: true });
    expect(fake.messageFor(responseUrl)).toBeDefined();
    expect(await accepts(port)).toBe(false);
    // A second stop has nothing left to stop (and nothing to warn about).
    expect(await slack.stop(1000)).toEqual({ drained: true });
    expect(lines.filter((l) => / WARN | ERROR /.test(l))).toEqual([]);
  });

  it("work that outlasts the timeout: resolves after it, reporting the work as not drained", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN });
    const { slack } = app(fake);
    const { port } = await slack.start();
    const client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
    const responseUrl = fake.responseUrl({ channel: "C1", user: "UOWNER" });
    fake.failNext("response_url", { delayMs: 1500 });
    await client.command(slashCommand({ user: "UOWNER", channel: "C1", responseUrl }));
    client.close();
    const started = Date.now();
    expect(await slack.stop(200)).toEqual({ drained: false });
    expect(Date.now() - started).toBeLessThan(1000);
    await slack.inflight.drain(3000);
  });

  it("a client holding a connection open mid-request does not hold stop beyond its timeout", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN });
    const { slack } = app(fake);
    const { port } = await slack.start();
    // Headers never finished: the server keeps the connection until its headers timeout (5 s).
    const slow = connect(port as number, "127.0.0.1");
    await new Promise((resolve) => slow.once("connect", resolve));
    slow.on("error", () => {});
    slow.write("POST /slack/events HTTP/1.1\r\nHost: x\r\n");
    await settle();
    const started = Date.now();
    expect(await slack.stop(300)).toEqual({ drained: true });
    expect(Date.now() - started).toBeLessThan(2000);
    slow.destroy();
  });

  it("Socket Mode: closes the connection, and an envelope sent afterwards is not acknowledged", async () => {
    const fake = await fakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { signingSecret: _unused, ...http } = testConfig(fake.apiUrl);
    const { slack } = app(fake, { ...http, socketMode: true, appToken: APP_TOKEN });
    expect(await slack.start()).toEqual({});
    await fake.socketMode?.connected();
    expect(await slack.stop(2000)).toEqual({ drained: true });
    const responseUrl = fake.responseUrl({ channel: "C1", user: "UOWNER" });
    const acked = await fake.socketMode
      ?.send("slash_commands", slashCommand({ user: "UOWNER", channel: "C1", responseUrl }), 300)
      .then(
        () => true,
        () => false,
      );
    expect(acked).toBe(false);
  });
});
