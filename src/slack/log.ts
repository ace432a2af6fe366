import { type Logger, LogLevel } from "@slack/bolt";
import { MIN_SECRET_LENGTH } from "../config.ts";

/** Level names accepted by LOG_LEVEL, lowest first. */
const ORDER = ["debug", "info", "warn", "error"] as const;
type Level = (typeof ORDER)[number];

export interface LoggerOptions {
  level: Level;
  /** Values that must never appear in a log line (tokens, signing secret). */
  secrets: string[];
  /** Where lines go; stdout/stderr by default. Tests capture them. */
  write?: (line: string, level: Level) => void;
  name?: string;
}

// Slack tokens are recognisable even when they are not ours (e.g. inside an error body).
const TOKEN_PATTERN = /\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g;
const SECRET_KEYS = /token|secret|authorization|cookie|signature/i;

/**
 * The one logger for Bolt and for our code. Every line passes through
 * redaction, so a token or the signing secret cannot reach the output even
 * when a library error carries request headers.
 */
export function createLogger(options: LoggerOptions): Logger {
  let level: Level = options.level;
  let name = options.name ?? "ssl-move-bot";
  // Each secret also as JSON writes it inside a logged object (a password may hold `"` or `\`).
  const secrets = options.secrets
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  const write =
    options.write ??
    ((line: string, l: Level) =>
      (l === "error" || l === "warn" ? process.stderr : process.stdout).write(`${line}\n`));
  const redact = (line: string) => {
    let out = line.replace(TOKEN_PATTERN, "$1-[redacted]");
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out;
  };
  const emit = (l: Level, msg: unknown[]) => {
    if (ORDER.indexOf(l) < ORDER.indexOf(level)) return;
    const text = msg.map((m) => formatArg(m, l === "debug")).join(" ");
    write(redact(`${new Date().toISOString()} ${l.toUpperCase()} [${name}] ${text}`), l);
  };
  return {
    debug: (...msg) => emit("debug", msg),
    info: (...msg) => emit("info", msg),
    warn: (...msg) => emit("warn", msg),
    error: (...msg) => emit("error", msg),
    setLevel: (l) => {
      level = l as Level;
    },
    getLevel: () => level as LogLevel,
    setName: (n) => {
      name = n;
    },
  };
}

export { LogLevel };

/**
 * The logger handed to Bolt, its receivers and its Slack clients: the same
 * lines, minus their debug output. At debug they log whole request bodies
 * (what customers type after the command, in a mention or a DM), every
 * response_url (which can post into the customer's channel for 30 minutes)
 * and every users.info answer (a customer's profile): customer data that
 * LOG_LEVEL=debug must not put in the logs. Our own debug lines stay.
 */
export function forFramework(logger: Logger): Logger {
  return {
    debug: () => {},
    info: (...msg) => logger.info(...msg),
    warn: (...msg) => logger.warn(...msg),
    error: (...msg) => logger.error(...msg),
    // Bolt sets the level it was given; the app's LOG_LEVEL stays the app's.
    setLevel: () => {},
    getLevel: () => (logger.getLevel() === LogLevel.DEBUG ? LogLevel.INFO : logger.getLevel()),
    setName: () => {},
  };
}

/** The useful, secret-free facts about an error from Bolt, the Web API client or fetch. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const e = error as Error & {
    code?: unknown;
    data?: { error?: unknown; response_metadata?: { messages?: unknown } };
    statusCode?: unknown;
    retryAfter?: unknown;
    original?: unknown;
  };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.data?.error !== undefined ? { slackError: e.data.error } : {}),
    ...(e.data?.response_metadata?.messages !== undefined
      ? { details: e.data.response_metadata.messages }
      : {}),
    ...(e.statusCode !== undefined ? { status: e.statusCode } : {}),
    ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
    ...(e.original instanceof Error ? { cause: e.original.message } : {}),
    ...withCauseCode(e.original),
  };
}

/** fetch's "fetch failed" says nothing; the system's code (ECONNREFUSED …) sits on it or one level down. */
function withCauseCode(original: unknown): { causeCode?: unknown } {
  if (!(original instanceof Error)) return {};
  const { code, cause } = original as Error & { code?: unknown; cause?: { code?: unknown } };
  const causeCode = code ?? (typeof cause === "object" && cause !== null ? cause.code : undefined);
  return causeCode !== undefined ? { causeCode } : {};
}

function formatArg(arg: unknown, withStack: boolean): string {
  if (typeof arg === "string") return arg;
  if (arg instanceof Error) {
    const facts = JSON.stringify(describeError(arg));
    return withStack && arg.stack ? `${facts}\n${arg.stack}` : facts;
  }
  try {
    // Only the objects above this one make a cycle: a value shared by two keys is logged twice.
    const ancestors: object[] = [];
    return JSON.stringify(arg, function (this: unknown, key, raw: unknown) {
      if (key !== "" && SECRET_KEYS.test(key)) return "[redacted]";
      const value = raw instanceof Error ? describeError(raw) : raw;
      if (typeof value === "object" && value !== null) {
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
        if (ancestors.includes(value)) return "[circular]";
        ancestors.push(value);
      }
      return value;
    });
  } catch {
    return String(arg);
  }
}
