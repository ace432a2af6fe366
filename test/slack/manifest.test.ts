import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config.ts";
import { projectRoot } from "../../src/paths.ts";

// The manifest is what a person pastes into api.slack.com; it must ask for
// exactly what the app uses, and name the command the app listens for.
describe("manifest.yaml", () => {
  const manifest = parse(readFileSync(join(projectRoot, "manifest.yaml"), "utf8"));

  it("declares the slash command the app listens for by default", () => {
    const defaults = loadConfig({ SLACK_BOT_TOKEN: "xoxb-x", SLACK_SIGNING_SECRET: "s" });
    if (!defaults.ok) throw new Error("defaults do not load");
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([
      defaults.config.slashCommand,
    ]);
  });

  it("asks for the scopes and events the listeners need, App Home and interactivity", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        "app_mentions:read",
        "channels:read",
        "chat:write",
        "commands",
        "groups:read",
        "im:history",
        "users:read",
      ].sort(),
    );
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      ["app_home_opened", "app_mention", "message.im"].sort(),
    );
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it(".env.example documents every variable the configuration reads", () => {
    const example = readFileSync(join(projectRoot, ".env.example"), "utf8");
    expect(CONFIG_VARIABLES).toHaveLength(16);
    for (const name of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^${name}=`, "m"));
  });
});
