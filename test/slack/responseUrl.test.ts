import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseUrlError, responders } from "../../src/slack/responseUrl.ts";

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
): Promise<{ origin: string; received: Received[] }> {
  const received: Received[] = [];
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
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
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
    expect(error).toMatchObject({ statusCode: 404, body: "expired_url" });
  });

  it("refuses a URL that is not http(s)", async () => {
    await expect(responder("ftp://example.com/r/1")({ text: "x" })).rejects.toThrow(
      "response_url has an unsupported protocol ftp:",
    );
  });

  it("posts only to Slack's hosts and the origins it is given: nothing is sent elsewhere", async () => {
    const { origin, received } = await serve();
    const slackOnly = responders();
    await expect(slackOnly(`${origin}/r/1`)({ text: "x" })).rejects.toThrow(
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

  it("keeps working across more origins than it keeps pools for", async () => {
    const targets = await Promise.all(Array.from({ length: 11 }, () => serve()));
    const respondTo = responders(targets.map((t) => t.origin));
    for (const { origin } of targets) await respondTo(`${origin}/r/a`)({ text: "a" });
    // The first origins' pools were closed to make room; posting there again opens a new one.
    await respondTo(`${targets[0]?.origin}/r/b`)({ text: "b" });
    expect(targets.map((t) => t.received.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("posts many redraws at once to one origin without losing any", async () => {
    const { origin, received } = await serve();
    await Promise.all(Array.from({ length: 300 }, (_, i) => responder(`${origin}/r/${i}`)({ text: `${i}` })));
    expect(new Set(received.map((r) => r.url)).size).toBe(300);
  });
});
