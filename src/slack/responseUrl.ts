import type { RespondArguments } from "@slack/bolt";
import { Pool } from "undici";

/** What a response_url post can say: replace the message, add an ephemeral or in-channel one. */
export type Respond = (message: RespondArguments) => Promise<void>;

export class ResponseUrlError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
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

function poolFor(origin: string): Pool {
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

/** A respond function for one response_url (the signed request it came in is what makes it trusted). */
export function responder(responseUrl: string, timeoutMs = 10_000): Respond {
  return (message) => post(responseUrl, JSON.stringify(message), timeoutMs);
}

async function post(url: string, body: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw new Error(`response_url has an unsupported protocol ${target.protocol}`);
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
  throw new ResponseUrlError(res.statusCode, await res.body.text());
}
