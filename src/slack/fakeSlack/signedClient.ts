import { createHmac } from "node:crypto";
import { Agent, request } from "node:http";

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<ts>:<raw body>"). */
export function sign(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export interface SendOptions {
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Replaces the computed signature (to forge one). */
  signature?: string;
  /** Extra headers, e.g. x-slack-retry-num; undefined leaves a header out (an unsigned request). */
  headers?: Record<string, string | undefined>;
}

/** A signed request ready to send (Bolt accepts it for five minutes after signing). */
export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface SlackResponse {
  status: number;
  body: string;
}

/**
 * Posts requests to a Bolt HTTP receiver the way Slack does: signed, with
 * Content-Type exactly application/x-www-form-urlencoded for commands and
 * interactions (a "; charset" suffix is rejected) and JSON for events.
 * Keep-alive, so benchmarks measure the app rather than connection setup.
 */
export class SignedClient {
  readonly agent: Agent;

  constructor(
    readonly url: string,
    private readonly secret: string,
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** A slash command: plain form fields. */
  command(fields: Record<string, string>, options?: SendOptions): Promise<SlackResponse> {
    return this.send(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded", options);
  }

  /** An interaction (block_actions): `payload=<urlencoded JSON>`. */
  interaction(payload: unknown, options?: SendOptions): Promise<SlackResponse> {
    return this.send(
      `payload=${encodeURIComponent(JSON.stringify(payload))}`,
      "application/x-www-form-urlencoded",
      options,
    );
  }

  /** An Events API envelope: JSON. */
  event(envelope: unknown, options?: SendOptions): Promise<SlackResponse> {
    return this.send(JSON.stringify(envelope), "application/json", options);
  }

  send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackResponse> {
    return this.sendPrepared(this.prepare(body, contentType, options));
  }

  /** Signs a request now, to send later: benchmarks sign before the clock starts. */
  prepare(body: string, contentType: string, options: SendOptions = {}): PreparedRequest {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const all: Record<string, string | undefined> = {
      "content-type": contentType,
      "content-length": String(Buffer.byteLength(body)),
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? sign(this.secret, timestamp, body),
      ...options.headers,
    };
    const headers = Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    return { body, headers };
  }

  sendPrepared({ body, headers }: PreparedRequest): Promise<SlackResponse> {
    return new Promise((resolve, reject) => {
      const req = request(this.url, { method: "POST", headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
