import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkBlocks, checkMessage } from "./blockKitLimits.ts";
import { attachSocketMode, type SocketModeSide } from "./socketMode.ts";

/**
 * A local stand-in for Slack's Web API and response_url endpoints, on
 * node:http. Point the app at it with SLACK_API_URL=<apiUrl>. It keeps the
 * messages it was asked to post (so a test, a sandbox page or an outside
 * driver can read the latest screen and click its buttons), records every
 * call, rejects blocks that break Block Kit limits, and can be told to fail.
 *
 * Also served, for browsers and drivers: GET /_fake/calls, GET /_fake/messages.
 */

export interface FakeSlackOptions {
  port?: number;
  host?: string;
  /** When set, Socket Mode is served: apps.connections.open accepts this app-level token. */
  appToken?: string;
  /** When set, any other bot token is refused with invalid_auth. */
  botToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** users.info answers; unknown users get locale ja-JP. */
  users?: Record<string, { name?: string; locale?: string }>;
  /**
   * conversations.info answers: null for a channel that does not exist (or is
   * private without the bot); unlisted channels exist and have the bot in them.
   */
  channels?: Record<string, { name?: string; isMember?: boolean } | null>;
  /** Web API methods answered with missing_scope (an app installed before the manifest asked for them). */
  missingScopes?: string[];
}

export interface RecordedCall {
  seq: number;
  /** "api": a Web API method; "response_url": a post to a response_url. */
  kind: "api" | "response_url";
  /** Web API method (e.g. "chat.update"), or "response_url". */
  method: string;
  args: Record<string, unknown>;
  /** For response_url calls: the URL posted to, and the context it was minted for. */
  responseUrl?: string;
  responseContext?: ResponseContext;
  status: number;
  ok: boolean;
  error?: string;
  /** Block Kit problems found in the call, if any (the call was then refused). */
  problems?: string[];
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks: unknown[];
  /** Seen only by `visibleTo`. */
  ephemeral: boolean;
  visibleTo?: string;
  threadTs?: string;
  /** The call that created it. */
  via: string;
  updates: number;
  deleted: boolean;
}

export interface ResponseContext {
  channel: string;
  user: string;
  /** The message the interaction came from; absent for slash commands. */
  messageTs?: string;
}

export interface Failure {
  /** HTTP status to answer with; 200 (default) answers `{ ok: false, error }`. */
  status?: number;
  error?: string;
  /** Wait this long before answering (for slow-Slack and shutdown tests). */
  delayMs?: number;
  /** With status 429: the Retry-After to send, in seconds (default 1). */
  retryAfterS?: number;
}

export interface FakeSlack {
  /** Slack's side of Socket Mode (when started with an appToken). */
  socketMode?: SocketModeSide;
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** The Web API base URL for SLACK_API_URL / clientOptions.slackApiUrl. */
  apiUrl: string;
  port: number;
  calls: RecordedCall[];
  messages: FakeMessage[];
  /** App Home views by user id, as last published. */
  homeViews: Map<string, Record<string, unknown>>;
  /** Mints a response_url for a slash command (no messageTs) or an interaction on a message. */
  responseUrl(context: ResponseContext): string;
  /** The sequence number of the last recorded call, to wait for calls after it. */
  mark(): number;
  /** Resolves with the first call after `since` (default: now) that matches. */
  waitForCall(
    filter?: (call: RecordedCall) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<RecordedCall>;
  /** Calls `listener` after every recorded call (a sandbox page streams changes this way); returns an unsubscribe. */
  onCall(listener: (call: RecordedCall) => void): () => void;
  /** The next call (any kind) after this moment. */
  nextCall(filter?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Makes the next call(s) to `method` ("chat.update", "response_url", …) fail or wait. */
  failNext(method: string, failure: Failure, times?: number): void;
  message(channel: string, ts: string): FakeMessage | undefined;
  /** The message a response_url wrote last (the one a slash command created, for example). */
  messageFor(responseUrl: string): FakeMessage | undefined;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botUserId = options.botUserId ?? "UBOT0FAKE";
  const botId = options.botId ?? "BBOT0FAKE";
  const teamId = options.teamId ?? "T0FAKE";
  const calls: RecordedCall[] = [];
  const messages: FakeMessage[] = [];
  const homeViews = new Map<string, Record<string, unknown>>();
  const responseUrls = new Map<string, ResponseContext & { uses: number; lastTs?: string }>();
  const failures = new Map<string, Failure[]>();
  let waiters: Array<{
    since: number;
    filter: (c: RecordedCall) => boolean;
    resolve: (c: RecordedCall) => void;
  }> = [];
  let seq = 0;
  let clock = 1_700_000_000_000_000; // microseconds, so ts values are unique and ordered
  let responseSeq = 0;

  const newTs = () => {
    clock += 100;
    return `${Math.floor(clock / 1e6)}.${String(clock % 1e6).padStart(6, "0")}`;
  };
  const find = (channel: string, ts: string) => messages.find((m) => m.channel === channel && m.ts === ts);
  const dmChannelFor = (channel: string) => (/^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel);

  const listeners = new Set<(call: RecordedCall) => void>();
  const record = (call: Omit<RecordedCall, "seq" | "at">) => {
    const full: RecordedCall = { ...call, seq: ++seq, at: Date.now() };
    calls.push(full);
    for (const listener of listeners) listener(full);
    const ready = waiters.filter((w) => full.seq > w.since && w.filter(full));
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(full);
    return full;
  };

  const takeFailure = (method: string): Failure | undefined => {
    const queue = failures.get(method);
    const failure = queue?.shift();
    if (queue && queue.length === 0) failures.delete(method);
    return failure;
  };

  type Answer = { status: number; body: Record<string, unknown> | string; headers?: Record<string, string> };

  const api: Record<string, (args: Record<string, unknown>) => Answer> = {
    "apps.connections.open": () =>
      ok({ url: `ws://${options.host ?? "127.0.0.1"}:${listeningPort}/socket-mode` }),
    "auth.test": () =>
      ok({
        url: "https://fake.slack.test/",
        team: "Fake Workspace",
        user: "ssl-move-bot",
        team_id: teamId,
        user_id: botUserId,
        bot_id: botId,
        is_enterprise_install: false,
      }),
    "chat.postMessage": (args) => {
      const problems = checkMessage(args);
      if (problems.length > 0) return invalid(problems);
      const channel = dmChannelFor(String(args.channel ?? ""));
      if (!channel) return platformError("channel_not_found");
      const message = newMessage(args, channel, "chat.postMessage", false);
      return ok({
        channel,
        ts: message.ts,
        message: { ts: message.ts, text: message.text, blocks: message.blocks },
      });
    },
    "chat.postEphemeral": (args) => {
      const problems = checkMessage(args);
      if (problems.length > 0) return invalid(problems);
      if (!args.channel || !args.user) return platformError("invalid_arguments");
      const message = newMessage(args, String(args.channel), "chat.postEphemeral", true, String(args.user));
      return ok({ message_ts: message.ts });
    },
    "chat.update": (args) => {
      const problems = checkMessage(args);
      if (problems.length > 0) return invalid(problems);
      const message = find(String(args.channel), String(args.ts));
      // Slack cannot chat.update an ephemeral message either.
      if (!message || message.deleted || message.ephemeral) return platformError("message_not_found");
      replace(message, args);
      return ok({ channel: message.channel, ts: message.ts, text: message.text });
    },
    "views.publish": (args) => {
      const view = args.view as Record<string, unknown> | undefined;
      const problems = checkBlocks(view?.blocks, "view");
      if (problems.length > 0) return invalid(problems);
      if (!view || typeof args.user_id !== "string") return platformError("invalid_arguments");
      homeViews.set(args.user_id, view);
      return ok({ view: { id: `V${seq}`, ...view } });
    },
    "conversations.info": (args) => {
      const id = String(args.channel ?? "");
      const known = options.channels?.[id];
      if (!id || known === null) return platformError("channel_not_found");
      return ok({
        channel: { id, name: known?.name ?? id.toLowerCase(), is_member: known?.isMember ?? true },
      });
    },
    "users.info": (args) => {
      const id = String(args.user ?? "");
      const known = options.users?.[id];
      return ok({
        user: {
          id,
          team_id: teamId,
          name: known?.name ?? id.toLowerCase(),
          locale: known?.locale ?? "ja-JP",
        },
      });
    },
  };

  function newMessage(
    args: Record<string, unknown>,
    channel: string,
    via: string,
    ephemeral: boolean,
    visibleTo?: string,
  ): FakeMessage {
    const message: FakeMessage = {
      channel,
      ts: newTs(),
      ...(typeof args.text === "string" ? { text: args.text } : {}),
      blocks: Array.isArray(args.blocks) ? args.blocks : [],
      ephemeral,
      ...(visibleTo ? { visibleTo } : {}),
      ...(typeof args.thread_ts === "string" ? { threadTs: args.thread_ts } : {}),
      via,
      updates: 0,
      deleted: false,
    };
    messages.push(message);
    return message;
  }

  function replace(message: FakeMessage, args: Record<string, unknown>) {
    if (typeof args.text === "string") message.text = args.text;
    message.blocks = Array.isArray(args.blocks) ? args.blocks : [];
    message.updates += 1;
  }

  /** What Slack does with a post to a response_url. */
  function respond(id: string, args: Record<string, unknown>): Answer {
    const context = responseUrls.get(id);
    if (!context) return { status: 404, body: "no_such_response_url" };
    if (context.uses >= 5) return { status: 404, body: "used_up" }; // 5 posts per response_url
    context.uses += 1;
    const target = context.lastTs ?? context.messageTs;
    if (args.delete_original === true) {
      const message = target ? find(context.channel, target) : undefined;
      if (message) message.deleted = true;
      return { status: 200, body: "ok" };
    }
    const problems = checkMessage(args);
    if (problems.length > 0) return { status: 400, body: { ok: false, error: "invalid_blocks", problems } };
    if (args.replace_original === true && target) {
      const message = find(context.channel, target);
      if (!message || message.deleted) return { status: 404, body: "message_not_found" };
      replace(message, args);
      return { status: 200, body: "ok" };
    }
    const inChannel = args.response_type === "in_channel";
    const message = newMessage(
      args,
      context.channel,
      "response_url",
      !inChannel,
      inChannel ? undefined : context.user,
    );
    // A command's later replace_original posts replace what its first post created.
    if (context.messageTs === undefined) context.lastTs = message.ts;
    return { status: 200, body: "ok" };
  }

  let listeningPort = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/_fake/calls") return json(res, 200, calls);
    if (req.method === "GET" && url.pathname === "/_fake/messages") return json(res, 200, messages);
    const raw = await readBody(req);
    const args = parseBody(raw, String(req.headers["content-type"] ?? ""));
    const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
    const responseMatch = /^\/response\/(\w+)$/.exec(url.pathname);
    if (!apiMatch && !responseMatch) return json(res, 404, { ok: false, error: "not_found" });
    const method = apiMatch ? (apiMatch[1] as string) : "response_url";
    const failure = takeFailure(method);
    if (failure?.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
    let answer: Answer;
    if (failure && (failure.status !== undefined || failure.error !== undefined)) {
      const status = failure.status ?? 200;
      answer =
        status === 429
          ? {
              status,
              body: { ok: false, error: "ratelimited" },
              headers: { "retry-after": String(failure.retryAfterS ?? 1) },
            }
          : status === 200
            ? platformError(failure.error ?? "internal_error")
            : { status, body: failure.error ?? "error" };
    } else if (apiMatch) {
      const token = bearer(req) ?? (typeof args.token === "string" ? args.token : undefined);
      const handler = api[method];
      if (method !== "auth.test" && token === undefined) answer = platformError("not_authed");
      else if (method === "apps.connections.open")
        answer =
          token === options.appToken && token !== undefined
            ? (handler?.(args) ?? platformError("unknown_method"))
            : platformError("invalid_auth");
      else if (token === undefined || (options.botToken !== undefined && token !== options.botToken))
        answer = platformError(token === undefined ? "not_authed" : "invalid_auth");
      else if (options.missingScopes?.includes(method)) answer = platformError("missing_scope");
      else answer = handler ? handler(args) : platformError("unknown_method");
    } else answer = respond(responseMatch?.[1] as string, args);
    const body = answer.body;
    const okBody = typeof body === "string" ? answer.status === 200 : body.ok === true;
    const problems =
      typeof body === "object" && Array.isArray(body.problems) ? (body.problems as string[]) : undefined;
    const context = responseMatch ? responseUrls.get(responseMatch[1] as string) : undefined;
    record({
      kind: apiMatch ? "api" : "response_url",
      method,
      args,
      ...(responseMatch ? { responseUrl: `${base}response/${responseMatch[1]}` } : {}),
      ...(context
        ? {
            responseContext: {
              channel: context.channel,
              user: context.user,
              ...(context.messageTs ? { messageTs: context.messageTs } : {}),
            },
          }
        : {}),
      status: answer.status,
      ok: okBody,
      ...(okBody ? {} : { error: typeof body === "string" ? body : String(body.error) }),
      ...(problems ? { problems } : {}),
    });
    if (typeof body === "string") {
      res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers }).end(body);
    } else json(res, answer.status, body, answer.headers);
  }

  function waitForCall(
    filter: (call: RecordedCall) => boolean = () => true,
    { since = seq, timeoutMs = 3000 }: { since?: number; timeoutMs?: number } = {},
  ): Promise<RecordedCall> {
    const existing = calls.find((c) => c.seq > since && filter(c));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = {
        since,
        filter,
        resolve: (c: RecordedCall) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        reject(new Error(`fake Slack: no matching call within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${options.host ?? "127.0.0.1"}:${port}/`;
  listeningPort = port;
  const socketMode = options.appToken ? attachSocketMode(server, "/socket-mode") : undefined;

  return {
    ...(socketMode ? { socketMode } : {}),
    url: base,
    apiUrl: `${base}api/`,
    port,
    calls,
    messages,
    homeViews,
    responseUrl(context) {
      const id = `r${++responseSeq}`;
      responseUrls.set(id, { ...context, uses: 0 });
      return `${base}response/${id}`;
    },
    mark: () => seq,
    waitForCall,
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nextCall(filter, timeoutMs) {
      return waitForCall(filter, { since: seq, ...(timeoutMs ? { timeoutMs } : {}) });
    },
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(method, queue);
    },
    message: find,
    messageFor(responseUrl) {
      const id = responseUrl.split("/").pop() ?? "";
      const context = responseUrls.get(id);
      const ts = context?.lastTs ?? context?.messageTs;
      return context && ts ? find(context.channel, ts) : undefined;
    },
    reset() {
      calls.length = 0;
      messages.length = 0;
      homeViews.clear();
      failures.clear();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function ok(body: Record<string, unknown>) {
  return { status: 200, body: { ok: true, ...body } };
}
function platformError(error: string) {
  return { status: 200, body: { ok: false, error } };
}
function invalid(problems: string[]) {
  return { status: 200, body: { ok: false, error: "invalid_blocks", problems } };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
    .end(JSON.stringify(body));
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7) : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Web API calls are form-encoded with JSON inside fields (blocks, view); response_url posts are JSON. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === "") return {};
  if (contentType.includes("application/json")) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
