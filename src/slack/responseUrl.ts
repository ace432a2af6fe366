import type { RespondArguments } from "@slack/bolt";
import { Agent, request } from "undici";

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

// Bolt's respond() uses fetch, which costs several times a plain keep-alive
// request per click (measured with bench/clicks.bench.ts); every click posts
// once. undici's pooled client is the cheapest of the three here.
const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });

/** A respond function for one response_url (the signed request it came in is what makes it trusted). */
export function responder(responseUrl: string, timeoutMs = 10_000): Respond {
  return (message) => post(responseUrl, JSON.stringify(message), timeoutMs);
}

async function post(url: string, body: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw new Error(`response_url has an unsupported protocol ${target.protocol}`);
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(target, {
      method: "POST",
      dispatcher,
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
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new ResponseUrlError(res.statusCode, text);
}
