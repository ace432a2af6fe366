import { z } from "zod";
import { defaultFlowFile } from "./paths.ts";
import { databaseUrlSecrets } from "./records/databaseUrlSecrets.ts";

/**
 * Everything the app reads from the environment, validated once at start.
 * Socket Mode or HTTP mode is chosen here, so the rest of the code never
 * looks at process.env.
 */
export type Config = {
  botToken: string;
  /** Present in HTTP mode. */
  signingSecret?: string;
  /** Present in Socket Mode. */
  appToken?: string;
  socketMode: boolean;
  port: number;
  /** Web API base URL ending in "/", when Slack is replaced (tests, sandbox, outside drivers). */
  slackApiUrl?: string;
  /** Origins besides Slack's own (and SLACK_API_URL's) that a response_url may point at. */
  responseUrlOrigins?: string[];
  slashCommand: string;
  flowFile: string;
  logLevel: "debug" | "info" | "warn" | "error";
  records: {
    /** PostgreSQL; unset → SQLite at sqlitePath. */
    databaseUrl?: string;
    sqlitePath: string;
    /** Days to keep records; null keeps everything. */
    retentionDays: number | null;
    /** Events held in memory while the database is unreachable. */
    queueSize: number;
  };
  /** Handoffs go here; unset → no "Ask staff" button. */
  staffChannelId?: string;
  /** May see the statistics. */
  staffUserIds: string[];
};

const boolFlag = z
  .enum(["true", "false", "1", "0", ""], { error: 'expected "true" or "false"' })
  .default("false")
  .transform((v) => v === "true" || v === "1");

const Env = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: "missing (the Bot User OAuth Token, xoxb-…)" })
    .regex(/^xoxb-\S+$/, "expected a bot token starting with xoxb-"),
  SLACK_SIGNING_SECRET: z.string().min(1, "empty").optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-\S+$/, "expected an app-level token starting with xapp-")
    .optional(),
  SOCKET_MODE: boolFlag,
  PORT: z
    .string()
    .default("3000")
    .refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, "expected a port number (0-65535)")
    .transform(Number),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL, e.g. http://127.0.0.1:4000/api/" })
    .optional(),
  SLACK_RESPONSE_URL_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every((o) => /^https?:\/\/[^/\s]+\/?$/i.test(o) && URL.canParse(o)),
      "expected origins like https://hooks.example.com, comma-separated (scheme and host, no path)",
    ),
  SLASH_COMMAND: z
    .string()
    .default("/ssl-move")
    .refine((v) => /^\/[a-z0-9_-]{1,31}$/.test(v), "expected a command like /ssl-move"),
  FLOW_FILE: z.string().min(1, "empty").default(defaultFlowFile),
  LOG_LEVEL: z
    .enum(["debug", "info", "warn", "error"], { error: "expected one of debug, info, warn, error" })
    .default("info"),
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/\S+$/,
      "expected a postgres:// or postgresql:// URL (unset it to use a SQLite file)",
    )
    .optional(),
  // The same default as the records layer (not imported: it would load the SQLite driver first).
  SQLITE_PATH: z.string().min(1, "empty").default("./data/consultations.db"),
  STAFF_CHANNEL_ID: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,}$/, "expected a channel id like C0123ABCD (channel details → About)")
    .optional(),
  STAFF_USER_IDS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .refine(
      (ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)),
      "expected Slack user ids separated by commas, like U0123ABCD,U0456EFGH",
    ),
  RETENTION_DAYS: z
    .string()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1, "expected a whole number of days (1 or more)")
    .transform(Number)
    .optional(),
  RECORD_QUEUE_SIZE: z
    .string()
    .default("10000")
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000_000,
      "expected a whole number of events (1 to 10000000)",
    )
    .transform(Number),
});

/** Every environment variable the app reads (documented in .env.example). */
export const CONFIG_VARIABLES = Object.keys(Env.shape);

/** Which secret each mode needs; checked on the raw values so it is reported alongside field errors. */
function modeProblems(env: Record<string, string>): string[] {
  const socket = env.SOCKET_MODE === "true" || env.SOCKET_MODE === "1";
  if (socket && env.SLACK_APP_TOKEN === undefined)
    return ["SLACK_APP_TOKEN: missing: Socket Mode (SOCKET_MODE=true) needs an app-level token (xapp-…)"];
  if (!socket && env.SLACK_SIGNING_SECRET === undefined)
    return [
      "SLACK_SIGNING_SECRET: missing: HTTP mode needs the app's Signing Secret (or set SOCKET_MODE=true)",
    ];
  return [];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Pure: an environment in, a config or every problem out. Values are never echoed (they may be secrets). */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable (`PORT=` in a .env file) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = Env.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues).map(
      (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
    ),
    ...modeProblems(present as Record<string, string>),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      botToken: e.SLACK_BOT_TOKEN,
      ...(e.SOCKET_MODE ? {} : { signingSecret: e.SLACK_SIGNING_SECRET as string }),
      ...(e.SOCKET_MODE ? { appToken: e.SLACK_APP_TOKEN as string } : {}),
      socketMode: e.SOCKET_MODE,
      port: e.PORT,
      ...(e.SLACK_API_URL ? { slackApiUrl: e.SLACK_API_URL.replace(/\/*$/, "/") } : {}),
      ...(e.SLACK_RESPONSE_URL_ORIGINS.length > 0
        ? { responseUrlOrigins: e.SLACK_RESPONSE_URL_ORIGINS.map((o) => new URL(o).origin) }
        : {}),
      slashCommand: e.SLASH_COMMAND,
      flowFile: e.FLOW_FILE,
      logLevel: e.LOG_LEVEL,
      records: {
        ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
        sqlitePath: e.SQLITE_PATH,
        retentionDays: e.RETENTION_DAYS ?? null,
        queueSize: e.RECORD_QUEUE_SIZE,
      },
      ...(e.STAFF_CHANNEL_ID ? { staffChannelId: e.STAFF_CHANNEL_ID } : {}),
      staffUserIds: e.STAFF_USER_IDS,
    },
  };
}

export function formatConfigProblems(problems: string[], what = "start"): string {
  return [
    `ssl-move-bot cannot ${what}: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}`,
    ...problems.map((p) => `  - ${p}`),
    "See .env.example for every variable and what it means.",
  ].join("\n");
}

/** Shorter strings are not redacted (they would blank out ordinary words); the logger agrees. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Every secret the configuration holds, for the logger to redact: the
 * tokens, the signing secret, and the database password (should a driver
 * ever put the URL in a message).
 */
export function secretsOf(config: Config): string[] {
  return [
    config.botToken,
    config.signingSecret ?? "",
    config.appToken ?? "",
    ...databaseUrlSecrets(config.records.databaseUrl),
  ].filter((s) => s.length >= MIN_SECRET_LENGTH);
}
