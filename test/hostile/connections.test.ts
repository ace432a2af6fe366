import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SERVER_OPTIONS } from "../../src/slack/receiver.ts";
import { Harness } from "../support/harness.ts";

/**
 * Requests that never finish, or whose target Node's parser takes but URL
 * cannot read: a client that sends no valid signature must not hold a
 * connection for minutes, nor make the app answer 500 and log an ERROR.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.close();
});

/** Opens a raw connection, writes `text`; says after how many ms the server closed it (or "open"), and its answer's status line. */
function closedAfter(text: string, waitMs: number): Promise<{ ms: number | "open"; status: string }> {
  const { port } = new URL(h.client.url);
  const socket = connect(Number(port), "127.0.0.1", () => socket.write(text));
  socket.on("error", () => {});
  let answer = "";
  socket.on("data", (chunk) => {
    answer += chunk;
  }); // reading it also lets the close be seen
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ms: "open", status: answer.split("\r\n")[0] ?? "" });
    }, waitMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, status: answer.split("\r\n")[0] ?? "" });
    });
  });
}

it("drops a client whose headers or body never finish within the server's timeouts (Slack itself gives up after 3 s)", async () => {
  const wait = SERVER_OPTIONS.requestTimeout + 3 * SERVER_OPTIONS.connectionsCheckingInterval;
  const [headers, body] = await Promise.all([
    closedAfter("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", wait),
    closedAfter(
      "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n\r\n{",
      wait,
    ),
  ]);
  expect(headers.status).toBe("HTTP/1.1 408 Request Timeout");
  expect(headers.ms).toBeLessThan(
    SERVER_OPTIONS.headersTimeout + 2 * SERVER_OPTIONS.connectionsCheckingInterval,
  );
  expect(body.status).toBe("HTTP/1.1 408 Request Timeout");
  expect(body.ms).not.toBe("open");
  // A real request is served meanwhile and after.
  expect((await h.command({ user: "U1", channel: "C1" })).blocks.length).toBeGreaterThan(0);
}, 30_000);

it.each(["http://[/slack/events", "http://a:b/slack/events"])(
  "an unparseable request target (%s) is answered 400, with a WARN line and no ERROR",
  async (target) => {
    const before = h.logs.length;
    const { port } = new URL(h.client.url);
    const status = await new Promise<string>((resolve) => {
      const s = connect(Number(port), "127.0.0.1", () =>
        s.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`),
      );
      s.on("data", (chunk) => {
        s.destroy();
        resolve(String(chunk).split("\r\n")[0] ?? "");
      });
      s.on("error", (e) => resolve(String(e)));
    });
    expect(status).toBe("HTTP/1.1 400 Bad Request");
    const lines = h.logs.slice(before);
    expect(lines.filter((l) => / ERROR /.test(l))).toEqual([]);
    expect(lines.some((l) => l.includes("Malformed request target"))).toBe(true);
  },
);
