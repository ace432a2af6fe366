import { mkdtempSync, rmSync } from "node:fs";
import { type IncomingMessage, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/runSandbox.ts";
import { foreignRequest } from "../../src/sandbox/sandboxServer.ts";

/**
 * The sandbox page has no login and acts as any sandbox user, staff included;
 * other web pages the developer has open must not drive or read it:
 * - CSRF: a cross-origin `fetch(..., {mode: "no-cors", body: JSON text})` is a
 *   "simple" request (text/plain, no preflight);
 * - DNS rebinding: a page on evil.example whose name is rebound to 127.0.0.1
 *   would read /sandbox/state (every message, staff statistics).
 */

let sandbox: Sandbox;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "sandbox-origin-"));
  sandbox = await startSandbox({ SANDBOX_PORT: "0", LOG_LEVEL: "warn", SQLITE_PATH: join(dataDir, "s.db") });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A raw request, so the Host header can be set as a rebinding browser sends it. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  const url = new URL(sandbox.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: url.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("sandbox: requests from another web origin", () => {
  it("CSRF: a cross-site text/plain POST (no preflight) is refused and drives nothing", async () => {
    const before = (await (await fetch(`${sandbox.url}/sandbox/state`)).json()) as { messages: unknown[] };
    const res = await raw(
      "POST",
      "/sandbox/send",
      {
        host: new URL(sandbox.url).host,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "text/plain;charset=UTF-8",
      },
      JSON.stringify({ user: "U0LEE", channel: "C0SUPPORT", text: "/ssl-move stats" }),
    );
    await sandbox.slack.inflight.drain(5000);
    const after = (await (await fetch(`${sandbox.url}/sandbox/state`)).json()) as { messages: unknown[] };
    expect({ status: res.status, newMessages: after.messages.length - before.messages.length }).toEqual({
      status: 403,
      newMessages: 0,
    });
  });

  it("its own page's requests, at localhost or an IP address, are served", async () => {
    const port = new URL(sandbox.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await raw("GET", "/sandbox/state", { host })).status, host).toBe(200);
      const post = await raw(
        "POST",
        "/sandbox/home",
        {
          host,
          origin: `http://${host}`,
          "sec-fetch-site": "same-origin",
          "content-type": "application/json",
        },
        JSON.stringify({ user: "U0SATO" }),
      );
      expect(post.status, host).toBe(200);
    }
    // Not JSON, even from the page itself: refused (a cross-site form could send that).
    const form = await raw(
      "POST",
      "/sandbox/home",
      { host: `localhost:${port}`, "content-type": "application/x-www-form-urlencoded" },
      "user=U0SATO",
    );
    expect(form.status).toBe(403);
  });

  it("DNS rebinding: a request whose Host is not localhost/127.0.0.1 cannot read the sandbox state", async () => {
    const res = await raw("GET", "/sandbox/state", { host: `evil.example:${new URL(sandbox.url).port}` });
    expect(res.status).not.toBe(200);
    expect(res.body).not.toContain("C0STAFF");
  });
});

describe("which requests the sandbox page takes (foreignRequest)", () => {
  const req = (headers: Record<string, string>, method = "GET") =>
    ({ method, headers }) as unknown as IncomingMessage;
  it("takes its own names whatever their case, IP addresses, and refuses other DNS names", () => {
    expect(foreignRequest(req({ host: "vm:8080" }), "VM")).toBeUndefined();
    expect(foreignRequest(req({ host: "LOCALHOST:8080" }), "127.0.0.1")).toBeUndefined();
    expect(foreignRequest(req({ host: "192.168.1.20:8080" }), "0.0.0.0")).toBeUndefined();
    expect(foreignRequest(req({ host: "[::1]:8080" }), "::1")).toBeUndefined();
    expect(foreignRequest(req({ host: "evil.example:8080" }), "0.0.0.0")).toMatch(/not evil\.example/);
    expect(foreignRequest(req({ host: "" }), "127.0.0.1")).toBeDefined();
  });
  it("takes a POST only as JSON and from its own origin", () => {
    const own = { host: "localhost:8080", "content-type": "application/json" };
    expect(foreignRequest(req(own, "POST"), "127.0.0.1")).toBeUndefined();
    expect(
      foreignRequest(req({ ...own, origin: "http://localhost:8080" }, "POST"), "127.0.0.1"),
    ).toBeUndefined();
    expect(
      foreignRequest(req({ ...own, origin: "https://evil.example" }, "POST"), "127.0.0.1"),
    ).toBeDefined();
    expect(
      foreignRequest(req({ ...own, "sec-fetch-site": "cross-site" }, "POST"), "127.0.0.1"),
    ).toBeDefined();
    expect(foreignRequest(req({ ...own, "content-type": "text/plain" }, "POST"), "127.0.0.1")).toBeDefined();
  });
});
