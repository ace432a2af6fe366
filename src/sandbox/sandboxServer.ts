import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, isIP } from "node:net";
import { fileURLToPath } from "node:url";
import type { FakeMessage, FakeSlack } from "../slack/fakeSlack/index.ts";
import {
  appHomeOpened,
  appMention,
  blockActions,
  directMessage,
  eventEnvelope,
  homeBlockActions,
  slashCommand,
} from "../slack/fakeSlack/payloads.ts";
import type { SignedClient } from "../slack/fakeSlack/signedClient.ts";

/**
 * The sandbox page's server: it serves a Slack look-alike page, turns what
 * the person does there into correctly signed Slack requests to the real
 * Bolt app, and streams back what the app posts to the fake Web API.
 */

export interface SandboxUser {
  id: string;
  name: string;
  locale: string;
}

export const SANDBOX_USERS: SandboxUser[] = [
  { id: "U0SATO", name: "佐藤 花子（お客様）", locale: "ja-JP" },
  { id: "U0LEE", name: "Alex Lee (staff)", locale: "en-US" },
];
export const SANDBOX_CHANNEL = { id: "C0SUPPORT", name: "support" };
/** Where "Ask staff" posts handoffs (STAFF_CHANNEL_ID in the sandbox); U0LEE is the staff member. */
export const SANDBOX_STAFF_CHANNEL = { id: "C0STAFF", name: "staff" };
export const SANDBOX_STAFF_USERS = ["U0LEE"];

export interface SandboxOptions {
  fake: FakeSlack;
  /** Signs requests to the app's /slack/events. */
  client: SignedClient;
  /** The slash command the app listens to. */
  command: string;
  botUserId: string;
  port: number;
  host?: string;
  /** Users who see the staff channel (STAFF_USER_IDS). */
  staffUsers?: readonly string[];
}

interface UserMessage {
  id: string;
  seq: number;
  channel: string;
  user: string;
  text: string;
  at: number;
  bot: false;
}

const PUBLIC = fileURLToPath(new URL("./public/", import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/sandbox.css": { file: "sandbox.css", type: "text/css; charset=utf-8" },
  "/sandbox.js": { file: "sandbox.js", type: "text/javascript; charset=utf-8" },
};

export async function startSandboxServer(options: SandboxOptions): Promise<{ server: Server; url: string }> {
  const { fake, client, command, botUserId } = options;
  const dms = SANDBOX_USERS.map((u) => ({
    id: `D${u.id.slice(1)}`,
    kind: "im" as const,
    user: u.id,
    name: u.name,
  }));
  const channels = [
    { ...SANDBOX_CHANNEL, kind: "channel" as const },
    // Shown to staff only, as a private staff channel would be.
    { ...SANDBOX_STAFF_CHANNEL, kind: "channel" as const, staffOnly: true },
    ...dms,
  ];
  const userMessages: UserMessage[] = [];
  /** The sandbox's own notices (e.g. an unknown slash command), as Slack itself would show them. */
  const notices: { id: string; seq: number; channel: string; text: string; at: number; from: string }[] = [];
  const streams = new Set<ServerResponse>();
  const order = new Map<string, number>();
  let seq = 0;
  const assets = Object.fromEntries(
    Object.entries(ASSETS).map(([path, a]) => [
      path,
      { body: readFileSync(`${PUBLIC}${a.file}`), type: a.type },
    ]),
  );

  const idOf = (m: FakeMessage) => `${m.channel}:${m.ts}`;
  // The fake's ts is a counter, not a clock: show when the message appeared.
  const seenAt = new Map<string, number>();
  const view = (m: FakeMessage) => {
    const id = idOf(m);
    if (!order.has(id)) order.set(id, ++seq);
    if (!seenAt.has(id)) seenAt.set(id, Date.now());
    return {
      id,
      seq: order.get(id),
      channel: m.channel,
      ts: m.ts,
      text: m.text,
      blocks: m.blocks,
      bot: true,
      ...(m.ephemeral && m.visibleTo ? { ephemeralFor: m.visibleTo } : {}),
      at: seenAt.get(id) ?? Date.now(),
    };
  };
  const broadcast = (change: unknown) => {
    const line = `data: ${JSON.stringify(change)}\n\n`;
    for (const res of streams) res.write(line);
  };

  // What the app did to the fake Web API becomes a change on every open page.
  const seen = new Map<string, number>();
  const homesSeen = new Map<string, unknown>();
  const unsubscribe = fake.onCall(() => {
    for (const m of fake.messages) {
      const id = idOf(m);
      const version = m.deleted ? -1 : m.updates;
      if (seen.get(id) === version) continue;
      seen.set(id, version);
      broadcast(m.deleted ? { type: "delete", id } : { type: "message", message: view(m) });
    }
    for (const [user, home] of fake.homeViews) {
      if (homesSeen.get(user) === home) continue;
      homesSeen.set(user, home);
      broadcast({ type: "home", user, view: home });
    }
  });

  const userName = (id: string) => SANDBOX_USERS.find((u) => u.id === id)?.name ?? id;

  async function send(body: { user: string; channel: string; text: string }) {
    const { user, channel } = body;
    const text = body.text.slice(0, 4000);
    const isDm = channel.startsWith("D");
    if (text.startsWith("/")) {
      const [name = "", ...rest] = text.split(/\s+/);
      if (name !== command) {
        return localNotice(
          channel,
          user,
          `\`${name}\` は使えません。\`${command}\` をお試しください。 · Unknown command: try \`${command}\`.`,
        );
      }
      const responseUrl = fake.responseUrl({ channel, user });
      return client.command(slashCommand({ command, text: rest.join(" "), user, channel, responseUrl }));
    }
    const message: UserMessage = { id: `u${++seq}`, seq, channel, user, text, at: Date.now(), bot: false };
    userMessages.push(message);
    broadcast({ type: "message", message });
    if (isDm) return client.event(eventEnvelope(directMessage({ user, channel, text })));
    if (/@ssl-move|<@/.test(text)) {
      const mention = text.replace(/@ssl-move(-bot)?/g, `<@${botUserId}>`);
      return client.event(eventEnvelope(appMention({ user, channel, text: mention })));
    }
    return undefined;
  }

  function localNotice(channel: string, user: string, text: string) {
    const message = {
      id: `n${++seq}`,
      seq,
      channel,
      text,
      at: Date.now(),
      bot: true,
      from: "Slackbot",
      ephemeralFor: user,
    };
    notices.push(message);
    broadcast({ type: "message", message });
    return undefined;
  }

  async function click(body: { user: string; messageId: string; actionId: string; home?: boolean }) {
    const { user, actionId } = body;
    if (body.home) {
      const home = fake.homeViews.get(user);
      if (!home) throw new Error("no App Home view for this user yet");
      return client.interaction(homeBlockActions({ view: home, actionId, user }));
    }
    const [channel = "", ts = ""] = body.messageId.split(":");
    const message = fake.message(channel, ts);
    if (!message) throw new Error(`no message ${body.messageId}`);
    const responseUrl = fake.responseUrl({ channel, user, messageTs: ts });
    return client.interaction(blockActions({ message, actionId, user, responseUrl }));
  }

  async function openHome(body: { user: string }) {
    const home = fake.homeViews.get(body.user);
    if (home) broadcast({ type: "home", user: body.user, view: home });
    return client.event(eventEnvelope(appHomeOpened({ user: body.user })));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`sandbox error: ${(error as Error).message}\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const refused = foreignRequest(req, options.host ?? "127.0.0.1");
    if (refused) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(`${refused}\n`);
      return;
    }
    const url = new URL(req.url ?? "/", "http://sandbox");
    const asset = req.method === "GET" ? assets[url.pathname] : undefined;
    if (asset) {
      res.writeHead(200, { "content-type": asset.type, "cache-control": "no-store" }).end(asset.body);
      return;
    }
    if (req.method === "GET" && url.pathname === "/sandbox/state") {
      const messages = [
        ...userMessages,
        ...notices,
        ...fake.messages.filter((m) => !m.deleted).map(view),
      ].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      return json(res, 200, {
        users: SANDBOX_USERS,
        staff: options.staffUsers ?? [],
        channels: channels.map((c) => ({ ...c, label: label(c) })),
        messages,
      });
    }
    if (req.method === "GET" && url.pathname === "/sandbox/stream") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write(": connected\n\n");
      streams.add(res);
      req.on("close", () => streams.delete(res));
      return;
    }
    if (req.method === "POST" && url.pathname.startsWith("/sandbox/")) {
      const body = await readJson(req);
      const user = typeof body.user === "string" ? body.user : "";
      if (!SANDBOX_USERS.some((u) => u.id === user)) return json(res, 400, { error: "unknown user" });
      let answer: { status: number; body: string } | undefined;
      if (
        url.pathname === "/sandbox/send" &&
        typeof body.text === "string" &&
        typeof body.channel === "string"
      ) {
        // A message to a channel no view shows would vanish without a word.
        if (!channels.some((c) => c.id === body.channel)) return json(res, 400, { error: "unknown channel" });
        answer = await send({ user, channel: body.channel, text: body.text });
      } else if (url.pathname === "/sandbox/click" && typeof body.actionId === "string")
        answer = await click({
          user,
          actionId: body.actionId,
          messageId: String(body.messageId ?? ""),
          home: body.home === true,
        });
      else if (url.pathname === "/sandbox/home") answer = await openHome({ user });
      else return json(res, 400, { error: "bad request" });
      // The app's answer to the signed request, for the curious (and the tests).
      return json(res, 200, { app: answer ?? null });
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }

  const label = (c: { kind: string; name: string; user?: string }) =>
    c.kind === "im" ? `💬 ssl-move-bot — ${userName(c.user ?? "")}` : `# ${c.name}`;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  server.on("close", unsubscribe);
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://localhost:${port}` };
}

/**
 * Why a request must not reach the sandbox, or undefined. The page has no
 * login and acts as any sandbox user, staff included (with DATABASE_URL set,
 * its statistics are real), so other web pages the developer has open must
 * not drive or read it:
 * - a Host that is a DNS name other than localhost or SANDBOX_HOST is a
 *   rebinding page's (evil.example made to resolve to 127.0.0.1); an IP
 *   address cannot be rebound;
 * - a POST must be JSON (a cross-site form or no-cors fetch can only send
 *   text/plain or a form without asking first) and, when the browser says
 *   where it comes from, from this page's own origin.
 */
export function foreignRequest(req: IncomingMessage, listenHost: string): string | undefined {
  const host = req.headers.host ?? "";
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return "bad Host header";
  }
  const ipLiteral = isIP(hostname.replace(/^\[|\]$/g, "")) !== 0;
  if (!ipLiteral && hostname !== "localhost" && hostname !== listenHost.toLowerCase())
    return `the sandbox answers only at localhost or an IP address, not ${hostname}`;
  if (req.method !== "POST") return undefined;
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
    return "a POST must be application/json";
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return `requests from ${origin} are not accepted`;
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return "cross-site requests are not accepted";
  return undefined;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error("request too large");
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
