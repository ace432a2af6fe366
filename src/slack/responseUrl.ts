import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { RespondArguments } from "@slack/bolt";

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
// request per click (measured with bench/clicks.bench.ts); every click posts once.
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/** A respond function for one response_url (the signed request it came in is what makes it trusted). */
export function responder(responseUrl: string, timeoutMs = 10_000): Respond {
  return (message) => post(responseUrl, JSON.stringify(message), timeoutMs);
}

function post(url: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "https:" && target.protocol !== "http:") {
      reject(new Error(`response_url has an unsupported protocol ${target.protocol}`));
      return;
    }
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      target,
      {
        method: "POST",
        agent: agents[target.protocol],
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new ResponseUrlError(status, Buffer.concat(chunks).toString("utf8")));
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`response_url did not answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
