import type { Server } from "node:http";
import { type AnyMiddlewareArgs, App, type Logger } from "@slack/bolt";
import type { Config } from "../config.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import type { Deps } from "./deps.ts";
import { InFlight } from "./inflight.ts";
import { register as registerActions } from "./listeners/actions/index.ts";
import { register as registerCommands } from "./listeners/commands/index.ts";
import { register as registerEvents } from "./listeners/events/index.ts";
import { register as registerHome } from "./listeners/home/index.ts";
import { describeError, forFramework } from "./log.ts";
import { createReceiver, createSocketModeReceiver, SERVER_OPTIONS } from "./receiver.ts";
import { RecentKeys } from "./recent.ts";
import type { AppRecords } from "./records.ts";
import { responders } from "./responseUrl.ts";
import { setButtonKey } from "./state/codec.ts";

export interface SlackAppOptions {
  config: Config;
  compiled: CompiledFlow;
  logger: Logger;
  /** Web API retries; tests use 0 (the client's default retries for about 30 minutes). */
  retries?: number;
  /** Consultation records (events, handoffs, statistics); without them nothing is recorded. */
  records?: AppRecords;
}

export interface SlackApp {
  app: App;
  inflight: InFlight;
  /** Connects (Socket Mode) or listens (HTTP); resolves with the HTTP port, if any. */
  start(): Promise<{ port?: number }>;
  /** Stops accepting, waits for in-flight work (at most timeoutMs), then resolves. */
  stop(timeoutMs?: number): Promise<{ drained: boolean }>;
}

/**
 * Why the app could not start, by step, so the message names the setting to
 * check: the bot token (auth.test in init), the app-level token (Socket
 * Mode's connection) or the port (HTTP). `cause` is what the step threw.
 */
export class StartError extends Error {
  constructor(
    readonly step: "bot_token" | "app_token" | "listen",
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function createSlackApp({
  config,
  compiled,
  logger,
  retries = 2,
  records,
}: SlackAppOptions): SlackApp {
  // Button values are signed with a key every instance derives alike (see setButtonKey).
  // The configuration requires one of the two (never the bot token: posting as the bot must not mint buttons).
  setButtonKey(config.signingSecret || (config.appToken as string));
  const framework = forFramework(logger);
  const clientOptions = {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // A click must be answered in seconds: retry briefly, and report rate limits instead of sleeping on them.
    retryConfig: { retries, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
  const app = new App({
    token: config.botToken,
    ...(config.socketMode
      ? {
          socketMode: true,
          receiver: createSocketModeReceiver({ appToken: config.appToken as string, logger, clientOptions }),
        }
      : {
          receiver: createReceiver({
            signingSecret: config.signingSecret as string,
            port: config.port,
            logger,
            customRoutes: [
              {
                path: "/healthz",
                method: ["GET"],
                handler: (_req, res) => {
                  res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
                },
              },
            ],
          }),
        }),
    // auth.test runs in init(), where its failure can be awaited and reported.
    deferInitialization: true,
    // Bolt's default conversation store costs every event time and memory; nothing here reads it.
    convoStore: false,
    logger: framework,
    logLevel: framework.getLevel(),
    clientOptions,
  });
  // Bolt keeps a pool of Web API clients per team id in a plain object, keyed by the request's own
  // team id: a signed request whose team id is named like a member of Object.prototype ("valueOf",
  // "constructor", "__proto__") found that member instead of a pool and threw. No prototype, no members.
  Object.assign(app, { clients: Object.create(null) });
  const inflight = new InFlight();
  const deps: Deps = {
    compiled,
    command: config.slashCommand,
    logger,
    inflight,
    recent: new RecentKeys(60_000),
    ...(records ? { records } : {}),
    staff: {
      ...(config.staffChannelId ? { channel: config.staffChannelId } : {}),
      users: new Set(config.staffUserIds),
    },
    // A fake Slack (tests, the sandbox) answers response_urls where it serves the Web API.
    respondTo: responders([
      ...(config.slackApiUrl ? [new URL(config.slackApiUrl).origin] : []),
      ...(config.responseUrlOrigins ?? []),
    ]),
  };
  app.use(refuseUnroutable);
  registerCommands(app, deps);
  registerActions(app, deps);
  registerEvents(app, deps);
  registerHome(app, deps);
  app.error(async (error) => {
    // Rethrown, it reaches the receiver's error handler, which answers it as a malformed body (HTTP 400).
    if (error.original instanceof MalformedBody) throw error.original;
    logger.error("unhandled error in a listener", { error: describeError(error) });
  });

  let started = false;
  return {
    app,
    inflight,
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw new StartError("bot_token", error);
      }
      let server: unknown;
      try {
        server = config.socketMode ? await app.start() : await app.start(config.port, SERVER_OPTIONS);
      } catch (error) {
        throw new StartError(config.socketMode ? "app_token" : "listen", error);
      }
      started = true;
      const address = config.socketMode ? null : (server as Server).address();
      return typeof address === "object" && address !== null ? { port: address.port } : {};
    },
    async stop(timeoutMs = 10_000) {
      // Stop accepting first, then let the clicks already acknowledged finish.
      const stopping = started
        ? app
            .stop()
            .catch((error: unknown) => logger.warn("stopping the receiver failed", describeError(error)))
        : Promise.resolve();
      started = false;
      const drained = await inflight.drain(timeoutMs);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopping, new Promise((r) => (timer = setTimeout(r, Math.max(100, timeoutMs))))]);
      clearTimeout(timer);
      return { drained };
    },
  };
}

/** A body Bolt's own routing cannot read (see refuseUnroutable). */
class MalformedBody extends TypeError {}
const DROPPED = Promise.resolve();

/**
 * Bolt's listener matching reads `'action_id' in actions[0]`, `action_id.match(…)` and
 * `event.type.match(…)`. A click whose actions is a string, or whose first action is not an
 * object or has an action_id that is not a string, throws there after the receiver's checks and
 * before any ack: 404 after 3 s and ERROR lines quoting the value. It is refused as malformed.
 * An event is acknowledged already; one whose type is not a string names nothing we listen to.
 * Runs on every request: it only reads fields (no allocation, not even a promise of its own).
 */
function refuseUnroutable({ body, next }: AnyMiddlewareArgs & { next: () => Promise<void> }): Promise<void> {
  const { actions, event } = body as { actions?: unknown; event?: { type?: unknown } | null };
  if (typeof event === "object" && event !== null && typeof event.type !== "string") return DROPPED;
  if (typeof actions === "string") throw new MalformedBody("actions is a string");
  if (Array.isArray(actions) && actions.length > 0) {
    const first: unknown = actions[0];
    if (typeof first !== "object" || first === null) throw new MalformedBody("an action is not an object");
    const id = typeof (first as { action_id?: unknown }).action_id;
    if (id !== "string" && id !== "undefined") throw new MalformedBody("an action_id is not a string");
  }
  return next();
}
