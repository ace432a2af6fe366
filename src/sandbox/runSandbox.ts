import { randomBytes } from "node:crypto";
import { type Config, formatConfigProblems, loadConfig } from "../config.ts";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { SANDBOX_SQLITE_PATH } from "../records/sqliteStore.ts";
import { createSlackApp, type SlackApp } from "../slack/app.ts";
import { startFakeSlack } from "../slack/fakeSlack/index.ts";
import { SignedClient } from "../slack/fakeSlack/signedClient.ts";
import { createLogger } from "../slack/log.ts";
import { startRecords } from "../slack/records.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";
import {
  SANDBOX_STAFF_CHANNEL,
  SANDBOX_STAFF_USERS,
  SANDBOX_USERS,
  startSandboxServer,
} from "./sandboxServer.ts";

export interface Sandbox {
  url: string;
  /** The address the page listens on (127.0.0.1 unless SANDBOX_HOST says otherwise). */
  address: string;
  appPort: number;
  /** Where the records go, and how `npm run report` reads them. */
  records: string;
  slack: SlackApp;
  stop(): Promise<void>;
}

/** A configuration problem, already worded in full for the person starting the sandbox. */
export class SandboxConfigError extends Error {}

/**
 * The real Bolt app in HTTP mode, the fake Slack Web API beside it, and the
 * sandbox page in front: the whole product on one machine, no workspace.
 * Secrets are made up per run; nothing leaves localhost.
 */
export async function startSandbox(env: Record<string, string | undefined>): Promise<Sandbox> {
  const botToken = `xoxb-sandbox-${randomBytes(8).toString("hex")}`;
  const signingSecret = randomBytes(16).toString("hex");
  const fake = await startFakeSlack({
    botToken,
    users: Object.fromEntries(SANDBOX_USERS.map((u) => [u.id, { name: u.name, locale: u.locale }])),
  });
  const configured = loadConfig({
    ...env,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SOCKET_MODE: "false",
    PORT: "0",
    SLACK_API_URL: fake.apiUrl,
    // Handoff and statistics can be tried: #staff takes handoffs, Alex Lee is staff,
    // and records go to their own SQLite file unless DATABASE_URL/SQLITE_PATH say otherwise.
    STAFF_CHANNEL_ID: env.STAFF_CHANNEL_ID || SANDBOX_STAFF_CHANNEL.id,
    STAFF_USER_IDS: env.STAFF_USER_IDS || SANDBOX_STAFF_USERS.join(","),
    SQLITE_PATH: env.SQLITE_PATH || SANDBOX_SQLITE_PATH,
  });
  if (!configured.ok) {
    await fake.close();
    throw new SandboxConfigError(formatConfigProblems(configured.problems, "start the sandbox"));
  }
  const config: Config = configured.config;
  const loaded = loadFlowFile(config.flowFile);
  if (!loaded.ok) {
    await fake.close();
    throw new Error(
      `the flow file has problems:\n${loaded.errors.map((e) => `  - ${formatPositionedError(e)}`).join("\n")}`,
    );
  }
  const logger = createLogger({ level: config.logLevel, secrets: [botToken, signingSecret] });
  let records: Awaited<ReturnType<typeof startRecords>>;
  try {
    records = await startRecords(config.records, logger);
  } catch (error) {
    await fake.close();
    throw new Error(`the records database cannot be opened: ${(error as Error).message}`);
  }
  const slack = createSlackApp({
    config,
    compiled: loaded.compiled,
    logger,
    retries: 0,
    records: records.records,
  });
  const { port: appPort = 0 } = await slack.start();
  const client = new SignedClient(`http://127.0.0.1:${appPort}/slack/events`, signingSecret);
  const port = Number(env.SANDBOX_PORT || 3000);
  const { server, url } = await startSandboxServer({
    fake,
    client,
    command: config.slashCommand,
    botUserId: "UBOT0FAKE",
    port,
    // `||`: an empty value (as .env.example has it) is unset, never "every interface".
    host: env.SANDBOX_HOST || "127.0.0.1",
    staffUsers: config.staffUserIds,
  });
  const bound = server.address();
  return {
    url,
    address: typeof bound === "object" && bound !== null ? bound.address : "",
    appPort,
    // The sandbox's own SQLite file is not the one report/erase read by default.
    records:
      env.SQLITE_PATH || config.records.databaseUrl
        ? `${records.description} (npm run report -- --since YYYY-MM-DD reads it with the same setting)`
        : `${records.description} (to read them: SQLITE_PATH=${config.records.sqlitePath} npm run report -- --since YYYY-MM-DD)`,
    slack,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await slack.stop(5_000);
      await records.close(2_000);
      client.close();
      await fake.close();
    },
  };
}
