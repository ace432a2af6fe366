import { formatConfigProblems, loadConfig, secretsOf } from "./config.ts";
import { loadDotEnv } from "./dotEnv.ts";

// `npm start`: read the configuration once, load the flow, connect to Slack,
// and on SIGTERM/SIGINT stop accepting, finish in-flight clicks and exit.

/** Start-up problems end the process with one message and exit code 1, never a stack trace. */
function refuseToStart(lines: string[]): never {
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exit(1);
}

const USAGE = `usage: npm start [-- --help]

Starts ssl-move-bot. It takes no arguments: everything is set by environment
variables or a .env file in the working directory (real variables win).

  no Slack credentials, NODE_ENV not production
      the local sandbox: the real app against a fake Slack, page at
      http://localhost:3000 (SANDBOX_PORT; SANDBOX_HOST, default 127.0.0.1)
  SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET
      HTTP mode: Slack posts to /slack/events on PORT (default 3000)
  SOCKET_MODE=true + SLACK_BOT_TOKEN + SLACK_APP_TOKEN
      Socket Mode: no public URL needed

Records: SQLite at SQLITE_PATH (default ./data/consultations.db; the sandbox's
own ./data/sandbox.db), or PostgreSQL at DATABASE_URL.
Every variable is described in .env.example and in README.md, "Configuration".`;

// Arguments are checked before anything is read, so --help never connects anywhere.
const args = process.argv.slice(2);
if (args.some((a) => a === "--help" || a === "-h")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`ssl-move-bot: unexpected argument "${args[0]}"; it takes none\n\n${USAGE}\n`);
  process.exit(2);
}

// A .env file in the working directory is a convenience; real variables win over it.
const unreadableEnv = loadDotEnv();
if (unreadableEnv) refuseToStart([`ssl-move-bot cannot start: .env cannot be read: ${unreadableEnv}`]);

// No Slack credentials outside production: run the real app against a local
// sandbox instead of refusing, so anyone can try the bot without a workspace.
const credentials = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"];
if (process.env.NODE_ENV !== "production" && credentials.every((name) => !process.env[name])) {
  const { runSandboxFromMain } = await import("./sandbox/main.ts");
  await runSandboxFromMain(refuseToStart);
} else {
  await runSlack();
}

async function runSlack(): Promise<void> {
  const configured = loadConfig(process.env);
  if (!configured.ok) refuseToStart([formatConfigProblems(configured.problems)]);
  const { config } = configured;

  // Loaded only once the configuration is known to be good, so a bad one is reported at once.
  const [
    { loadFlowFile },
    { formatPositionedError },
    { createSlackApp, StartError },
    { createLogger, describeError },
    { startRecords },
    { redactUrl },
    { checkStaffChannel },
  ] = await Promise.all([
    import("./flow/loadFlow.ts"),
    import("./yaml/parseYaml.ts"),
    import("./slack/app.ts"),
    import("./slack/log.ts"),
    import("./slack/records.ts"),
    import("./records/databaseUrlSecrets.ts"),
    import("./slack/checkStaffChannel.ts"),
  ]);

  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });

  const loaded = loadFlowFile(config.flowFile);
  if (!loaded.ok)
    refuseToStart([
      `ssl-move-bot cannot start: the flow file has ${loaded.errors.length} problem(s) (FLOW_FILE=${config.flowFile})`,
      ...loaded.errors.map((e) => `  - ${formatPositionedError(e)}`),
    ]);

  // A safety net: every Slack call is already caught where it is made.
  process.on("unhandledRejection", (reason) => {
    logger.error("unhandled promise rejection", { error: describeError(reason) });
  });

  // Migrations run here; a database that cannot be opened stops the start with one message.
  let running: Awaited<ReturnType<typeof startRecords>>;
  try {
    running = await startRecords(config.records, logger);
  } catch (error) {
    const where = config.records.databaseUrl
      ? redactUrl(config.records.databaseUrl)
      : `SQLite ${config.records.sqlitePath}`;
    refuseToStart([
      `ssl-move-bot cannot start: the records database cannot be opened (${where}): ${String(describeError(error).message ?? error)}`,
      "Check DATABASE_URL (or SQLITE_PATH), and that the database is running.",
    ]);
  }
  logger.info(`records: ${running.description}`);

  const slack = createSlackApp({ config, compiled: loaded.compiled, logger, records: running.records });
  try {
    const { port } = await slack.start();
    const { flow } = loaded.compiled;
    logger.info(
      config.socketMode
        ? `connected to Slack in Socket Mode; flow ${flow.id} v${flow.version}; command ${config.slashCommand}`
        : `listening on port ${port} (POST /slack/events); flow ${flow.id} v${flow.version}; command ${config.slashCommand}`,
    );
    // Handoffs need records and a staff channel; the bot must be in that channel to post there.
    // Not awaited: a slow Slack must not hold up the start (or the shutdown handlers below).
    if (config.staffChannelId) void checkStaffChannel(slack.app.client, config.staffChannelId, logger);
  } catch (error) {
    const step = error instanceof StartError ? error.step : "bot_token";
    const facts = describeError(error instanceof StartError ? error.cause : error);
    refuseToStart([
      `ssl-move-bot cannot start: ${startProblem(facts)}`,
      {
        bot_token: "Check SLACK_BOT_TOKEN (and SLACK_API_URL if set).",
        app_token:
          "Check SLACK_APP_TOKEN: an app-level token (xapp-…) with connections:write (and SLACK_API_URL if set).",
        listen: `Check PORT (${config.port}): the port must be free, and one this user may listen on.`,
      }[step],
    ]);
  }

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info(
      `${signal}: no longer accepting requests; waiting for ${slack.inflight.size} in-flight request(s)`,
    );
    const { drained } = await slack.stop(10_000);
    // Then the events still queued are written (up to 5 s) before the store closes.
    await running.close(5_000);
    logger.info(drained ? "stopped cleanly" : "stopped; some work did not finish in time");
    process.exit(drained ? 0 : 1);
  }
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

/** The failure in one phrase; Slack's own code only when the message does not already say it. */
function startProblem(facts: Record<string, unknown>): string {
  const message = String(facts.message ?? facts.error);
  const code = facts.slackError === undefined ? undefined : String(facts.slackError);
  return code && !message.includes(code) ? `${message} (Slack said: ${code})` : message;
}
