import type { RespondArguments } from "@slack/bolt";
import { Pool } from "undici";

/** What a response_url post can say: replace the message, add an ephemeral or in-channel one. */
export type Respond = (message: RespondArguments) => Promise<void>;

/** A response_url the app would not post to (not a URL, not http(s), not an allowed host): nothing was sent. */
export class ResponseUrlNotSent extends Error {
  override name = "ResponseUrlNotSent";
}

export class ResponseUrlError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
    /** Seconds Slack asked us to wait (HTTP 429 with Retry-After). */
    readonly retryAfterS?: number,
  ) {
    super(`response_url answered ${statusCode}: ${body.slice(0, 200)}`);
    this.name = "ResponseUrlError";
  }
}

// Every click posts once, so this is the app's hottest outbound path. Bolt's
// respond() uses fetch, which costs several times more per click; a keep-alive
// undici Pool per origin costs about a third less CPU than undici's Agent and
// half of node:http (docs/benchmarks.md). Connections are opened only when
// needed, but there must be enough of them: with 64, under 50 concurrent
// clicks the redraws fell seconds behind the acks and piled up in memory.
const POOL_OPTIONS = { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 };
// Slack sends one origin (hooks.slack.com); the cap keeps odd origins from piling up pools.
const MAX_POOLS = 8;
const pools = new Map<string, Pool>();

/** The keep-alive pool for an origin (bench/lib/boltFloorApp.ts posts through it too). */
export function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (pool) return pool;
  if (pools.size >= MAX_POOLS) {
    const [oldest, old] = pools.entries().next().value as [string, Pool];
    pools.delete(oldest);
    void old.close().catch(() => {});
  }
  pool = new Pool(origin, POOL_OPTIONS);
  pools.set(origin, pool);
  return pool;
}

/** Where Slack's response_urls point: the commercial and the GovSlack hosts. */
export const SLACK_RESPONSE_ORIGINS: readonly string[] = [
  "https://hooks.slack.com",
  "https://hooks.slack-gov.com",
];

/** Makes respond functions for response_urls on the given origins only. */
export type Responders = (responseUrl: string) => Respond;

/**
 * Respond functions for one app. A response_url arrives in a signed request,
 * but the app then POSTs to whatever it names: were the signing secret to
 * leak, anyone could make the app post to hosts inside its own network. So
 * only Slack's hosts (and those configured, such as a fake Slack) are posted
 * to; any other fails like a refused post, and nothing is sent.
 */
export function responders(extraOrigins: readonly string[] = [], timeoutMs = 10_000): Responders {
  const allowed = new Set([...SLACK_RESPONSE_ORIGINS, ...extraOrigins]);
  return (responseUrl) => (message) => post(responseUrl, JSON.stringify(message), timeoutMs, allowed);
}

const clipped = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

async function post(
  url: string,
  body: string,
  timeoutMs: number,
  allowed: ReadonlySet<string>,
): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    // Not the URL itself: it came in the request and can be anything.
    throw new ResponseUrlNotSent("response_url is not a URL; nothing was sent");
  }
  // Named (an operator may need to allow a fake Slack's origin), but clipped: it came in the request.
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw new ResponseUrlNotSent(`response_url has an unsupported protocol ${clipped(target.protocol)}`);
  if (!allowed.has(target.origin))
    throw new ResponseUrlNotSent(
      `response_url is not on Slack's hosts (${clipped(target.origin)}); nothing was sent (SLACK_RESPONSE_URL_ORIGINS adds others)`,
    );
  let res: Awaited<ReturnType<Pool["request"]>>;
  try {
    res = await poolFor(target.origin).request({
      path: `${target.pathname}${target.search}`,
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("UND_ERR_") && /Timeout/.test((error as Error).name))
      throw new Error(`response_url did not answer within ${timeoutMs} ms`);
    throw error;
  }
  if (res.statusCode >= 200 && res.statusCode < 300) {
    // The body ("ok") is not needed; dumping it frees the connection without decoding.
    await res.body.dump();
    return;
  }
  throw new ResponseUrlError(res.statusCode, await res.body.text(), retryAfterOf(res.headers["retry-after"]));
}

/** Retry-After in seconds; the HTTP-date form is not used by Slack. */
function retryAfterOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
