import { SandboxConfigError, startSandbox } from "./runSandbox.ts";

/** `npm start` without Slack credentials: the sandbox, with one clear banner. */
export async function runSandboxFromMain(refuseToStart: (lines: string[]) => never): Promise<void> {
  const port = process.env.SANDBOX_PORT || process.env.PORT || "3000";
  if (!/^\d+$/.test(port) || Number(port) > 65535)
    refuseToStart([
      `ssl-move-bot cannot start the sandbox: SANDBOX_PORT must be a port number, not "${port}"`,
    ]);
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({ ...process.env, SANDBOX_PORT: port });
  } catch (error) {
    if (error instanceof SandboxConfigError) refuseToStart([error.message]);
    const code = (error as NodeJS.ErrnoException).code;
    const host = process.env.SANDBOX_HOST;
    const message =
      code === "EADDRINUSE"
        ? `port ${port} is in use; set SANDBOX_PORT to another port`
        : host && (code === "ENOTFOUND" || code === "EADDRNOTAVAIL" || code === "EAI_AGAIN")
          ? `SANDBOX_HOST: cannot listen on "${host}" (${code}); use an address of this machine, or leave it unset for 127.0.0.1`
          : (error as Error).message;
    refuseToStart([`ssl-move-bot cannot start the sandbox: ${message}`]);
  }
  const line = "─".repeat(72);
  process.stdout.write(
    [
      line,
      "  ssl-move-bot — local sandbox (no Slack credentials found)",
      "",
      `  Open ${sandbox.url} in your browser.`,
      `  The real Bolt app runs in HTTP mode on port ${sandbox.appPort}, with a local fake of`,
      "  Slack's Web API; nothing leaves this machine.",
      `  Records: ${sandbox.records}.`,
      ...(["0.0.0.0", "::"].includes(sandbox.address)
        ? [
            "",
            `  SANDBOX_HOST=${process.env.SANDBOX_HOST}: other machines can open this page too; it has no login.`,
          ]
        : []),
      "",
      "  To connect to a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET",
      '  (or SOCKET_MODE=true and SLACK_APP_TOKEN): see README, "Install in a workspace".',
      "  Stop with Ctrl+C.",
      line,
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the sandbox\n`);
    await sandbox.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
