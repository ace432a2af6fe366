import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatConfigProblems, loadConfig, secretsOf } from "../../src/config.ts";
import { projectRoot, tsxLoader } from "../../src/paths.ts";
import { startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../support/harness.ts";
import { blockActions, slashCommand } from "../support/payloads.ts";
import { SignedClient } from "../support/signedClient.ts";

const main = join(projectRoot, "src", "main.ts");
// An empty working directory, so a developer's .env cannot leak into the test.
const cwd = mkdtempSync(join(tmpdir(), "ssl-move-start-"));

function run(
  env: Record<string, string>,
  workDir = cwd,
  args: string[] = [],
): ChildProcess & { output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { output });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe("configuration (pure)", () => {
  it.each([
    ["HTTP mode", { SLACK_SIGNING_SECRET: "8f3c2a9d0e1b4c7f" }],
    ["Socket Mode", { SOCKET_MODE: "true", SLACK_APP_TOKEN: "xapp-1-A0-appsecretvalue" }],
  ])(
    "npm start's logger redacts every secret of the configuration (%s): tokens, signing secret, database password",
    (_, mode) => {
      const password = "p@ss/wörd:42";
      const r = loadConfig({
        SLACK_BOT_TOKEN: "xoxb-111-222-botsecretvalue",
        ...mode,
        DATABASE_URL: `postgres://bot:${encodeURIComponent(password)}@db.example:5432/ssl`,
      });
      if (!r.ok) throw new Error(r.problems.join("; "));
      const secrets = [
        "xoxb-111-222-botsecretvalue",
        password,
        encodeURIComponent(password), // as a driver would quote the URL
        ...Object.values(mode).filter((v) => v !== "true"),
      ];
      const lines: string[] = [];
      const logger = createLogger({
        level: "debug",
        secrets: secretsOf(r.config),
        write: (line) => lines.push(line),
      });
      // The signing secret and the password match no pattern: only the list catches them (tokens also match xox…/xapp-…).
      for (const value of secrets) logger.error(`failed:${value}:end`, { error: { message: `x${value}x` } });
      expect(lines).toHaveLength(secrets.length);
      for (const line of lines) for (const value of secrets) expect(line).not.toContain(value);
      expect(lines.join("\n").match(/\[redacted\]/g)?.length).toBe(2 * secrets.length);
    },
  );

  it("the database password is a secret wherever the URL puts it: userinfo or query (pg reads ?password=)", () => {
    const password = "q@ss/wörd+42";
    for (const url of [
      `postgres://bot@db.example:5432/ssl?sslmode=require&password=${encodeURIComponent(password)}`,
      `postgres://bot:other-pass-1@db.example/ssl?sslpassword=${encodeURIComponent(password)}`,
    ]) {
      const r = loadConfig({
        SLACK_BOT_TOKEN: "xoxb-111-222-botsecretvalue",
        SLACK_SIGNING_SECRET: "8f3c2a9d0e1b4c7f",
        DATABASE_URL: url,
      });
      if (!r.ok) throw new Error(r.problems.join("; "));
      const lines: string[] = [];
      const logger = createLogger({
        level: "debug",
        secrets: secretsOf(r.config),
        write: (l) => lines.push(l),
      });
      logger.error(`connect ${url} failed`, { error: { message: `bad password ${password}` } });
      expect(lines.join("\n")).not.toContain(password);
      expect(lines.join("\n")).not.toContain(encodeURIComponent(password));
      expect(lines.join("\n")).not.toContain("other-pass-1");
      expect(lines.join("\n")).toContain("@db.example");
    }
  });

  it("accepts HTTP mode with defaults", () => {
    const r = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1-2", SLACK_SIGNING_SECRET: "abc" });
    expect(r).toMatchObject({
      ok: true,
      config: { port: 3000, slashCommand: "/ssl-move", socketMode: false, logLevel: "info" },
    });
  });

  it("accepts Socket Mode and normalises SLACK_API_URL", () => {
    const r = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-1-2",
      SLACK_APP_TOKEN: "xapp-1-2",
      SOCKET_MODE: "true",
      SLACK_API_URL: "http://127.0.0.1:4000/api",
    });
    expect(r).toMatchObject({
      ok: true,
      config: { socketMode: true, appToken: "xapp-1-2", slackApiUrl: "http://127.0.0.1:4000/api/" },
    });
  });

  it("reads SLACK_RESPONSE_URL_ORIGINS as origins, and refuses anything with a path or another scheme", () => {
    const base = { SLACK_BOT_TOKEN: "xoxb-1-2", SLACK_SIGNING_SECRET: "abc" };
    const plain = loadConfig(base);
    expect(plain.ok && plain.config.responseUrlOrigins).toBe(undefined);
    expect(
      loadConfig({
        ...base,
        SLACK_RESPONSE_URL_ORIGINS:
          " http://127.0.0.1:4001, https://Hooks.Example.com:443, HTTPS://b.example/,",
      }),
    ).toMatchObject({
      ok: true,
      config: {
        responseUrlOrigins: ["http://127.0.0.1:4001", "https://hooks.example.com", "https://b.example"],
      },
    });
    for (const bad of [
      "hooks.example.com",
      "https://hooks.example.com/actions",
      "ftp://x.example",
      "http://",
    ]) {
      const r = loadConfig({ ...base, SLACK_RESPONSE_URL_ORIGINS: bad });
      expect(r, bad).toMatchObject({ ok: false });
      expect((r as { problems: string[] }).problems.join("\n")).toContain(
        "SLACK_RESPONSE_URL_ORIGINS: expected origins",
      );
    }
  });

  it("reads the records, staff and retention settings, with defaults", () => {
    const base = { SLACK_BOT_TOKEN: "xoxb-1-2", SLACK_SIGNING_SECRET: "abc" };
    expect(loadConfig(base)).toMatchObject({
      ok: true,
      config: {
        records: { sqlitePath: "./data/consultations.db", retentionDays: null, queueSize: 10_000 },
        staffUserIds: [],
      },
    });
    const r = loadConfig({
      ...base,
      DATABASE_URL: "postgres://bot:secret@db:5432/ssl",
      STAFF_CHANNEL_ID: "C0STAFF",
      STAFF_USER_IDS: "U0LEE, U0KIM,",
      RETENTION_DAYS: "90",
      RECORD_QUEUE_SIZE: "500",
    });
    expect(r).toMatchObject({
      ok: true,
      config: {
        records: { databaseUrl: "postgres://bot:secret@db:5432/ssl", retentionDays: 90, queueSize: 500 },
        staffChannelId: "C0STAFF",
        staffUserIds: ["U0LEE", "U0KIM"],
      },
    });
    const bad = loadConfig({
      ...base,
      DATABASE_URL: "mysql://bot:secret@db/ssl",
      STAFF_CHANNEL_ID: "#staff",
      STAFF_USER_IDS: "lee",
      RETENTION_DAYS: "0",
      RECORD_QUEUE_SIZE: "lots",
    });
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(
      ["DATABASE_URL", "RECORD_QUEUE_SIZE", "RETENTION_DAYS", "STAFF_CHANNEL_ID", "STAFF_USER_IDS"].sort(),
    );
    expect(problems.join("\n")).not.toContain("secret");
  });

  it("lists every problem at once, without echoing values", () => {
    const r = loadConfig({
      SLACK_BOT_TOKEN: "xapp-swapped-secret-value",
      PORT: "eighty",
      SLASH_COMMAND: "ssl-move",
      LOG_LEVEL: "loud",
      SOCKET_MODE: "maybe",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.split(":")[0])).toEqual([
      "SLACK_BOT_TOKEN",
      "SOCKET_MODE",
      "PORT",
      "SLASH_COMMAND",
      "LOG_LEVEL",
      "SLACK_SIGNING_SECRET",
    ]);
    expect(formatConfigProblems(r.problems)).not.toContain("swapped-secret-value");
  });

  it("Socket Mode without an app token is one clear problem", () => {
    const r = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SOCKET_MODE: "true" });
    expect(r).toEqual({ ok: false, problems: [expect.stringMatching(/^SLACK_APP_TOKEN: missing/)] });
  });
});

describe("npm start (src/main.ts as a process)", () => {
  it.concurrent("in production a bad environment stops the start: one message listing every problem, exit code 1, no stack trace", async () => {
    // Outside production, no credentials at all starts the sandbox instead (test/sandbox).
    const { code, stderr, stdout } = await run({ NODE_ENV: "production", PORT: "x", LOG_LEVEL: "chatty" })
      .output;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("cannot start: 4 configuration problems");
    for (const name of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "LOG_LEVEL"])
      expect(stderr).toContain(name);
    noStackTrace(stderr);
  });

  it.concurrent.each([
    ["without any credentials", undefined],
    ["with .env copied from .env.example, not yet filled in", ".env.example"],
  ])("%s outside production, npm start opens the sandbox and says so", async (_, envFile) => {
    const workDir = envFile ? mkdtempSync(join(tmpdir(), "ssl-move-env-")) : cwd;
    if (envFile) copyFileSync(join(projectRoot, envFile), join(workDir, ".env"));
    const child = run({ SANDBOX_PORT: "0" }, workDir);
    const url = await new Promise<string>((resolve, reject) => {
      let seen = "";
      child.stdout?.on("data", (d: Buffer) => {
        seen += d;
        const m = /Open (http:\/\/localhost:\d+) in your browser/.exec(seen);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code} before the banner:\n${seen}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("ssl-move-bot sandbox");
    child.kill("SIGTERM");
    const { code, stdout } = await child.output;
    expect(stdout).toContain("local sandbox (no Slack credentials found)");
    expect(code).toBe(0);
  });

  it.concurrent("a records database that cannot be opened stops the start with one line that shows the URL without its password, even one given as ?password=", async () => {
    const { code, stdout, stderr } = await run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: "http://127.0.0.1:1/api/",
      DATABASE_URL: "postgres://bot@127.0.0.1:1/ssl?password=hunter2query&sslmode=disable",
    }).output;
    expect(code).toBe(1);
    expect(stderr).toContain(
      "the records database cannot be opened (postgres://bot@127.0.0.1:1/ssl?password=***&sslmode=disable)",
    );
    expect(`${stdout}${stderr}`).not.toContain("hunter2query");
    noStackTrace(stderr);
  });

  it.concurrent("--help prints the usage and exits 0 without starting anything, even with credentials set", async () => {
    const { code, stdout, stderr } = await run(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: "http://127.0.0.1:1/api/",
      },
      cwd,
      ["--help"],
    ).output;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm start/);
    expect(stdout).toContain("SANDBOX_PORT");
    expect(stderr).toBe("");
  });

  it.concurrent("an argument it does not take is refused with exit code 2 and the usage", async () => {
    const { code, stdout, stderr } = await run({}, cwd, ["--port", "4000"]).output;
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^ssl-move-bot: unexpected argument "--port"; it takes none\n\nusage: npm start/);
  });

  it.concurrent("a configuration problem in the sandbox is said once, without a doubled prefix", async () => {
    const { code, stderr } = await run({ SANDBOX_PORT: "0", LOG_LEVEL: "loud" }).output;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ssl-move-bot cannot start the sandbox: 1 configuration problem/);
    expect(stderr).not.toMatch(/cannot start.*cannot start/);
    expect(stderr).toContain("LOG_LEVEL");
    noStackTrace(stderr);
  });

  it.concurrent("a SANDBOX_HOST it cannot listen on is named in one line", async () => {
    const { code, stderr } = await run({ SANDBOX_PORT: "0", SANDBOX_HOST: "bogus.invalid" }).output;
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^ssl-move-bot cannot start the sandbox: SANDBOX_HOST: cannot listen on "bogus\.invalid" \((ENOTFOUND|EAI_AGAIN)\)/,
    );
    noStackTrace(stderr);
  });

  it.concurrent("the sandbox on every interface says other machines can open it", async () => {
    const child = run({ SANDBOX_PORT: "0", SANDBOX_HOST: "0.0.0.0", SQLITE_PATH: join(cwd, "any-host.db") });
    try {
      let seen = "";
      child.stdout?.on("data", (d: Buffer) => {
        seen += d;
      });
      await expect.poll(() => seen, { timeout: 20_000 }).toContain("Stop with Ctrl+C");
      expect(seen).toContain("SANDBOX_HOST=0.0.0.0: other machines can open this page too; it has no login.");
    } finally {
      child.kill("SIGTERM");
      await child.output;
    }
  });

  it.concurrent("in production, no credentials at all is refused with what is missing", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production" }).output;
    expect(code).toBe(1);
    expect(stderr).toContain("SLACK_BOT_TOKEN");
    expect(stderr).toContain("SLACK_SIGNING_SECRET");
    noStackTrace(stderr);
  });

  it.concurrent("a broken flow file stops the start with its positioned errors", async () => {
    const flow = join(cwd, "broken.yaml");
    writeFileSync(flow, "id: x\nversion: one\n");
    const { code, stderr } = await run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      FLOW_FILE: flow,
    }).output;
    expect(code).toBe(1);
    expect(stderr).toContain("the flow file has");
    expect(stderr).toContain("broken.yaml:");
    noStackTrace(stderr);
  });

  it.concurrent("a token Slack refuses stops the start with Slack's reason", async () => {
    const fake = await startFakeSlack({ botToken: "xoxb-the-right-one" });
    try {
      const { code, stderr } = await run({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: "0",
      }).output;
      expect(code).toBe(1);
      expect(stderr).toContain("invalid_auth");
      expect(stderr).toContain("Check SLACK_BOT_TOKEN");
      expect(stderr).not.toContain("Slack said: invalid_auth"); // the message already names it
      expect(stderr).not.toContain(BOT_TOKEN);
      noStackTrace(stderr);
    } finally {
      await fake.close();
    }
  });

  it.concurrent("an app-level token Slack refuses (Socket Mode) points at SLACK_APP_TOKEN, not the bot token", async () => {
    const fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: "xapp-1-the-right-one" });
    try {
      const { code, stderr } = await run({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: "xapp-1-wrong",
        SOCKET_MODE: "true",
        SLACK_API_URL: fake.apiUrl,
      }).output;
      expect(code).toBe(1);
      expect(stderr).toContain("invalid_auth");
      expect(stderr).toContain("Check SLACK_APP_TOKEN");
      expect(stderr).not.toContain("Check SLACK_BOT_TOKEN");
      expect(stderr).not.toContain("xapp-1-wrong");
      noStackTrace(stderr);
    } finally {
      await fake.close();
    }
  });

  it.concurrent("a port in use stops the start and names PORT", async () => {
    const fake = await startFakeSlack({ botToken: BOT_TOKEN });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stderr } = await run({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: String(port),
      }).output;
      expect(code).toBe(1);
      expect(stderr).toContain("EADDRINUSE");
      expect(stderr).toContain(`Check PORT (${port}): the port must be free`);
      noStackTrace(stderr);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await fake.close();
    }
  });

  it.concurrent("SIGTERM stops accepting, lets the in-flight click finish, then exits 0", async () => {
    const fake = await startFakeSlack({ botToken: BOT_TOKEN });
    const child = run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: "0",
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let seen = "";
        child.stdout?.on("data", (d: Buffer) => {
          seen += d;
          const m = /listening on port (\d+)/.exec(seen);
          if (m) resolve(Number(m[1]));
        });
        child.on("exit", () => reject(new Error(`exited before listening: ${seen}`)));
      });
      const client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
      const responseUrl = fake.responseUrl({ channel: "C1", user: "U1" });
      expect((await client.command(slashCommand({ user: "U1", channel: "C1", responseUrl }))).status).toBe(
        200,
      );
      const first = await fake.waitForCall((c) => c.kind === "response_url", { since: 0 });
      const message = fake.messageFor(responseUrl);
      if (!message || !first.ok) throw new Error("no first message");
      // Slack is slow to take the update; SIGTERM arrives while the click is in flight.
      fake.failNext("response_url", { delayMs: 700 });
      const click = blockActions({
        message,
        actionId: "answer:validity:valid",
        user: "U1",
        responseUrl: fake.responseUrl({ channel: "C1", user: "U1", messageTs: message.ts }),
      });
      expect((await client.interaction(click)).status).toBe(200);
      client.close();
      child.kill("SIGTERM");
      const { code, stdout } = await child.output;
      expect(code).toBe(0);
      expect(stdout).toContain("waiting for 1 in-flight request");
      expect(stdout).toContain("stopped cleanly");
      expect(fake.message("C1", message.ts)?.updates).toBe(1);
    } finally {
      child.kill("SIGKILL");
      await fake.close();
    }
  });
});
