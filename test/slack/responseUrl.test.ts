import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ResponseUrlError,
  ResponseUrlNotSent,
  responders,
  SLACK_RESPONSE_ORIGINS,
} from "../../src/slack/responseUrl.ts";

// The redraw of every click goes through responders(): real HTTP servers here, no mocks.

/** A responder allowed to post to the local test servers (any 127.0.0.1 origin given). */
const responder = (url: string, timeoutMs?: number) => responders([new URL(url).origin], timeoutMs)(url);

interface Received {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: string;
}

const servers: Server[] = [];

async function serve(
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("ok"),
): Promise<{ origin: string; received: Received[]; sockets: Array<{ closed: boolean }> }> {
  const received: Received[] = [];
  // Each connection the app opened, and whether it has been closed since.
  const sockets: Array<{ closed: boolean }> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body });
      answer(req, res);
    });
  });
  server.on("connection", (socket) => {
    const seen = { closed: false };
    sockets.push(seen);
    socket.on("close", () => {
      seen.closed = true;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, sockets };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("responders (response_url posts)", () => {
  it("posts the message as UTF-8 JSON to the exact path and query", async () => {
    const { origin, received } = await serve();
    await responder(`${origin}/actions/T1/123/abc?x=1`)({ replace_original: true, text: "移行 — move" });
    expect(received).toEqual([
      {
        method: "POST",
        url: "/actions/T1/123/abc?x=1",
        contentType: "application/json; charset=utf-8",
        body: JSON.stringify({ replace_original: true, text: "移行 — move" }),
      },
    ]);
  });

  it("rejects with the status and body when Slack refuses", async () => {
    const { origin } = await serve((_req, res) => res.writeHead(404).end("expired_url"));
    const error = await responder(`${origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseUrlError);
    expect(error).toMatchObject({
      name: "ResponseUrlError",
      message: "response_url answered 404: expired_url",
      statusCode: 404,
      body: "expired_url",
    });
  });

  it("keeps a long refusal's body but puts only its first 200 characters in the message (it is logged)", async () => {
    const long = `${"e".repeat(200)}TAIL`.repeat(50);
    const { origin } = await serve((_req, res) => res.writeHead(500).end(long));
    const error = await responder(`${origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 500, body: long });
    expect((error as Error).message).toBe(`response_url answered 500: ${"e".repeat(200)}`);
  });

  it("counts only 2xx as posted: a redirect is a refusal too (it is not followed)", async () => {
    const { origin, received } = await serve((_req, res) =>
      res.writeHead(300, { location: "/elsewhere" }).end("moved"),
    );
    await expect(responder(`${origin}/r/1`)({ text: "x" })).rejects.toMatchObject({ statusCode: 300 });
    expect(received.map((r) => r.url)).toEqual(["/r/1"]);
  });

  it("reads Slack's Retry-After (whole seconds) on a refusal; any other form is no wait", async () => {
    const cases: Array<[string | string[] | undefined, number | undefined]> = [
      ["12", 12],
      [" 7 ", 7],
      [["3", "9"], 3],
      ["1.5", undefined],
      ["x1", undefined],
      ["1x", undefined],
      ["Wed, 21 Oct 2026 07:28:00 GMT", undefined],
      [undefined, undefined],
    ];
    for (const [header, seconds] of cases) {
      const { origin } = await serve((_req, res) => {
        if (header !== undefined) res.setHeader("retry-after", header);
        res.writeHead(429).end("rate_limited");
      });
      const error = await responder(`${origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
      expect(error, String(header)).toBeInstanceOf(ResponseUrlError);
      expect((error as ResponseUrlError).retryAfterS, String(header)).toBe(seconds);
    }
  });

  it("refuses a URL that is not http(s)", async () => {
    const refused = await responder("ftp://example.com/r/1")({ text: "x" }).catch((e: unknown) => e);
    // Not a failed post: deliver.ts falls back to chat.postEphemeral only for this kind.
    expect(refused).toBeInstanceOf(ResponseUrlNotSent);
    expect(refused).toMatchObject({
      name: "ResponseUrlNotSent",
      message: "response_url has an unsupported protocol ftp:",
    });
  });

  it("refuses a response_url that is not a URL, without repeating it", async () => {
    const refused = await responders()("not a url xoxb-1-in-it")({ text: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ResponseUrlNotSent);
    expect((refused as Error).message).toBe("response_url is not a URL; nothing was sent");
  });

  it("knows Slack's commercial and GovSlack hosts", () => {
    // Posting to them would reach the real Slack, so the list itself is what is checked.
    expect(SLACK_RESPONSE_ORIGINS).toEqual(["https://hooks.slack.com", "https://hooks.slack-gov.com"]);
  });

  it("posts only to Slack's hosts and the origins it is given: nothing is sent elsewhere", async () => {
    const { origin, received } = await serve();
    const slackOnly = responders();
    const refused = await slackOnly(`${origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ResponseUrlNotSent);
    expect((refused as Error).message).toContain(
      `response_url is not on Slack's hosts (${origin}); nothing was sent`,
    );
    // The same host on another port, scheme or user part is another origin.
    const other = new URL(origin);
    other.port = String(Number(other.port) + 1);
    await expect(responders([origin])(`${other.origin}/r/1`)({ text: "x" })).rejects.toThrow(
      "not on Slack's hosts",
    );
    await expect(
      responders([origin])(`${origin.replace("http:", "https:")}/r/1`)({ text: "x" }),
    ).rejects.toThrow("not on Slack's hosts");
    expect(received).toEqual([]);
    await responders([origin])(`http://user@${new URL(origin).host}/r/2`)({ text: "y" });
    expect(received.map((r) => r.url)).toEqual(["/r/2"]);
  });

  it("names a refused origin or protocol clipped: it came in the request and can be long", async () => {
    const host = `${"a".repeat(5_000)}.example`;
    const origin = await responders()(`https://${host}/r/1`)({ text: "x" }).catch((e: Error) => e.message);
    expect(origin).toContain("https://aaaa");
    expect(String(origin).length).toBeLessThan(300);
    const protocol = await responders()(`${"x".repeat(5_000)}://h/r/1`)({ text: "x" }).catch(
      (e: Error) => e.message,
    );
    expect(String(protocol).length).toBeLessThan(200);
  });

  it("gives up after the timeout with a plain message", async () => {
    const { origin } = await serve(() => {}); // never answers
    await expect(responder(`${origin}/r/slow`, 200)({ text: "x" })).rejects.toThrow(
      "response_url did not answer within 200 ms",
    );
  });

  it("passes a refused connection or a dropped one on as it is: only a timeout is called one", async () => {
    const dropping = await serve((req) => req.socket.destroy());
    const dropped = await responder(`${dropping.origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ code: "UND_ERR_SOCKET" });
    const gone = await serve();
    const server = servers.pop() as Server;
    await new Promise((resolve) => server.close(resolve));
    const refused = await responder(`${gone.origin}/r/1`)({ text: "x" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("keeps its connections to an origin open for the next posts (a pool per origin)", async () => {
    const { origin, received, sockets } = await serve();
    const respondTo = responders([origin]);
    for (let i = 0; i < 20; i++) await respondTo(`${origin}/r/${i}`)({ text: "x" });
    expect(received).toHaveLength(20);
    // One, or two when the next post starts before the last answer's connection is free again.
    expect(sockets.length).toBeLessThanOrEqual(2);
    expect(sockets.every((s) => !s.closed)).toBe(true);
  });

  it("keeps pools for 8 origins: a 9th closes the connections of the oldest only", async () => {
    // The pools outlive a test: 8 fresh origins first, so no earlier test's origin (a port used
    // again by one of the targets) is the oldest pool.
    const fresh = await Promise.all(Array.from({ length: 8 }, () => serve()));
    const targets = await Promise.all(Array.from({ length: 9 }, () => serve()));
    const respondTo = responders([...fresh, ...targets].map((t) => t.origin));
    for (const { origin } of [...fresh, ...targets]) await respondTo(`${origin}/r/a`)({ text: "a" });
    await vi.waitFor(() => expect(targets[0]?.sockets).toEqual([{ closed: true }]), { timeout: 2_000 });
    expect(targets.slice(1).map((t) => t.sockets)).toEqual(Array(8).fill([{ closed: false }]));
  });

  it("keeps working across more origins than it keeps pools for", async () => {
    const targets = await Promise.all(Array.from({ length: 11 }, () => serve()));
    const respondTo = responders(targets.map((t) => t.origin));
    for (const { origin } of targets) await respondTo(`${origin}/r/a`)({ text: "a" });
    // The first origins' pools were closed to make room; posting there again opens a new one.
    await respondTo(`${targets[0]?.origin}/r/b`)({ text: "b" });
    expect(targets.map((t) => t.received.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("posts many redraws at once to one origin without losing any, on at most 256 connections", async () => {
    // Slow answers, so every post wants a connection of its own at the same time.
    const { origin, received, sockets } = await serve((_req, res) => setTimeout(() => res.end("ok"), 300));
    await Promise.all(Array.from({ length: 300 }, (_, i) => responder(`${origin}/r/${i}`)({ text: `${i}` })));
    expect(new Set(received.map((r) => r.url)).size).toBe(300);
    expect(sockets).toHaveLength(256);
  });
});
