import type { Config } from "../../src/config.ts";
import { type CompiledFlow, loadFlowFile } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { createSlackApp, type SlackApp } from "../../src/slack/app.ts";
import {
  type FakeMessage,
  type FakeSlack,
  type RecordedCall,
  startFakeSlack,
} from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import type { AppRecords } from "../../src/slack/records.ts";
import { blockActions, eventEnvelope, homeBlockActions, slashCommand } from "./payloads.ts";
import { SignedClient } from "./signedClient.ts";

export const SIGNING_SECRET = "test-signing-secret-8f2b1c";
export const BOT_TOKEN = "xoxb-test-1234-5678-abcdef";

let defaultFlow: CompiledFlow | undefined;
export function loadDefaultFlow(): CompiledFlow {
  if (!defaultFlow) {
    const loaded = loadFlowFile(defaultFlowFile);
    if (!loaded.ok) throw new Error("the default flow does not load");
    defaultFlow = loaded.compiled;
  }
  return defaultFlow;
}

export function testConfig(slackApiUrl: string): Config {
  return {
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    socketMode: false,
    port: 0,
    slackApiUrl,
    slashCommand: "/ssl-move",
    flowFile: defaultFlowFile,
    logLevel: "info",
    records: { sqlitePath: ":memory:", retentionDays: null, queueSize: 10_000 },
    staffUserIds: [],
  };
}

export interface ClickResult {
  status: number;
  /** The clicked message as the fake now holds it. */
  message: FakeMessage;
  /** Calls the click caused. */
  calls: RecordedCall[];
}

/**
 * The real Bolt app (HTTP receiver, random port) with the fake Slack beside
 * it, and a signed client. Every helper waits until the app has finished
 * the work a request started, so assertions see the final state.
 */
export class Harness {
  slack!: SlackApp;
  client!: SignedClient;
  readonly logs: string[] = [];

  private constructor(
    readonly fake: FakeSlack,
    public compiled: CompiledFlow,
    private readonly overrides: Partial<Config> = {},
    readonly records?: AppRecords,
  ) {}

  static async start(
    options: {
      compiled?: CompiledFlow;
      users?: Record<string, { locale?: string }>;
      /** Configuration beyond testConfig (staff channel and users, …). */
      config?: Partial<Config>;
      /** A records store; the app then records events, handoffs and statistics. */
      records?: AppRecords;
    } = {},
  ) {
    const fake = await startFakeSlack({
      botToken: BOT_TOKEN,
      ...(options.users ? { users: options.users } : {}),
    });
    const harness = new Harness(fake, options.compiled ?? loadDefaultFlow(), options.config, options.records);
    await harness.boot();
    return harness;
  }

  private async boot(): Promise<void> {
    const logger = createLogger({
      level: "debug",
      secrets: [BOT_TOKEN, SIGNING_SECRET],
      write: (line) => this.logs.push(line),
    });
    this.slack = createSlackApp({
      config: { ...testConfig(this.fake.apiUrl), ...this.overrides },
      compiled: this.compiled,
      logger,
      retries: 0,
      ...(this.records ? { records: this.records } : {}),
    });
    const { port } = await this.slack.start();
    this.client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  }

  /** Stops this app instance and starts a fresh one (same fake Slack), optionally with another flow. */
  async restartApp(compiled?: CompiledFlow): Promise<void> {
    await this.stopApp();
    if (compiled) this.compiled = compiled;
    await this.boot();
  }

  async stopApp(): Promise<void> {
    this.client.close();
    await this.slack.stop(5000);
  }

  idle(): Promise<boolean> {
    return this.slack.inflight.drain(5000);
  }

  /** Types the slash command; returns the message its response created. */
  async command(o: { text?: string; user: string; channel: string }): Promise<FakeMessage> {
    const responseUrl = this.fake.responseUrl({ channel: o.channel, user: o.user });
    const res = await this.client.command(slashCommand({ ...o, responseUrl }));
    if (res.status !== 200) throw new Error(`slash command answered ${res.status}`);
    await this.idle();
    const message = this.fake.messageFor(responseUrl);
    if (!message) throw new Error("the slash command drew no message");
    return message;
  }

  /** Clicks a button of a message the fake holds, as `user` (default: whoever can see it). */
  async click(
    message: FakeMessage,
    actionId: string,
    o: { user?: string; value?: string; edit?: (payload: Record<string, unknown>) => void } = {},
  ): Promise<ClickResult> {
    const user = o.user ?? message.visibleTo ?? "UOWNER";
    const mark = this.fake.mark();
    const responseUrl = this.fake.responseUrl({ channel: message.channel, user, messageTs: message.ts });
    const payload = blockActions({
      message,
      actionId,
      user,
      responseUrl,
      ...(o.value ? { value: o.value } : {}),
    });
    // A test's own damage to an otherwise real click (another team, another element type).
    o.edit?.(payload);
    const res = await this.client.interaction(payload);
    await this.idle();
    return {
      status: res.status,
      message: this.fake.message(message.channel, message.ts) ?? message,
      calls: this.fake.calls.filter((c) => c.seq > mark),
    };
  }

  async clickHome(user: string, actionId: string): Promise<RecordedCall[]> {
    const view = this.fake.homeViews.get(user);
    if (!view) throw new Error(`no App Home published for ${user}`);
    const mark = this.fake.mark();
    const res = await this.client.interaction(homeBlockActions({ view, actionId, user }));
    if (res.status !== 200) throw new Error(`click answered ${res.status}`);
    await this.idle();
    return this.fake.calls.filter((c) => c.seq > mark);
  }

  async event(event: Record<string, unknown>, eventId?: string): Promise<RecordedCall[]> {
    const mark = this.fake.mark();
    const res = await this.client.event(eventEnvelope(event, eventId));
    if (res.status !== 200) throw new Error(`event answered ${res.status}`);
    await this.idle();
    return this.fake.calls.filter((c) => c.seq > mark);
  }

  async close(): Promise<void> {
    await this.stopApp();
    await this.fake.close();
  }
}

/** Reads the machine line of a result card: `route: … · installer: … · fee: …`. */
export function readResult(blocks: unknown[]): { route: string; installer: string; fee: string } | undefined {
  for (const raw of blocks) {
    const block = raw as { block_id?: string; elements?: Array<{ text?: string }> };
    const text = block.elements?.[0]?.text;
    const m = text ? /^route: (\S+) · installer: (\S+) · fee: (\S+)$/.exec(text) : null;
    if (m) return { route: m[1] as string, installer: m[2] as string, fee: m[3] as string };
  }
  return undefined;
}
