import type { IncomingMessage } from "node:http";
import { parse } from "node:querystring";
import {
  defaultProcessEventErrorHandler,
  HTTPModuleFunctions,
  HTTPReceiver,
  type HTTPReceiverOptions,
  type Logger,
  type ReceiverProcessEventErrorHandlerArgs,
  SocketModeReceiver,
  type SocketModeReceiverProcessEventErrorHandlerArgs,
  type webApi,
} from "@slack/bolt";

import { forFramework } from "./log.ts";

const ENDPOINT = "/slack/events";

/**
 * Server options for the HTTP mode. Slack gives up on a request after 3 s, so
 * nothing legitimate takes longer to arrive; Node's defaults (60 s for the
 * headers, 300 s for the whole request, checked every 30 s) would let slow
 * clients that never send a signature hold connections and buffered bodies.
 */
export const SERVER_OPTIONS = {
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
} as const;
const JSON_NULL = /^[ \t\n\r]*null[ \t\n\r]*$/;

/**
 * Bolt 5.1's HTTPReceiver with three holes closed (all found by test/hostile):
 * - A request target Node's parser takes but URL cannot read (`http://[/…`)
 *   throws in Bolt's routing, which answers 500 and logs an ERROR: 400.
 * - A signed body that parses to JSON `null` (`null`, or `payload=null`)
 *   makes its request handler read `null.ssl_check`: the promise rejects
 *   unhandled and the request is never answered. Such a body is answered like
 *   any other unparseable one: 401 if its signature is wrong, else 400.
 * - A signed body whose fields Bolt's own routing cannot read (a click
 *   without `user`, an event whose `user` is null or `channel` a number)
 *   throws a TypeError before any listener runs, which Bolt answers 500.
 *   It is the client's malformed request, not a failure of ours: 400.
 * Everything else goes to Bolt unchanged (it reuses the buffered body).
 */
export function createReceiver(options: HTTPReceiverOptions & { signingSecret: string; logger: Logger }) {
  const framework = forFramework(options.logger);
  const receiver = new HTTPReceiver({
    // Bolt hands its handler the receiver's logger; ours logs no values, so it gets the plain one.
    processEventErrorHandler: (args) => answerMalformed({ ...args, logger: options.logger }),
    ...options,
    logger: withoutBodyValues(framework),
    logLevel: framework.getLevel(),
  });
  const bolt = receiver.requestListener;
  const { logger, signingSecret } = options;
  receiver.requestListener = (req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      // Node's parser takes targets such as `http://[/…` that URL cannot; Bolt would answer 500 and log an ERROR.
      logger.warn("Malformed request target");
      return HTTPModuleFunctions.buildNoBodyResponse(res, 400);
    }
    if (req.method !== "POST" || path !== ENDPOINT) return bolt(req, res);
    HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit).then(
      async (buffered) => {
        if (!parsesToNull(buffered)) return bolt(buffered, res);
        try {
          // May strip the body to `ssl_check=1`, which Bolt then answers as usual.
          await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret }, buffered);
        } catch (error) {
          logger.warn(`Failed to parse and verify the request data: ${(error as Error).message}`);
          return HTTPModuleFunctions.buildNoBodyResponse(res, 401);
        }
        if (!parsesToNull(buffered)) return bolt(buffered, res);
        logger.warn("Malformed request body: null");
        HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      },
      (error: unknown) => {
        // What Bolt answers when it cannot read a body: 413 if too large, else 401.
        const tooLarge =
          HTTPModuleFunctions.isRawBodyError(error) && (error as { statusCode?: number }).statusCode === 413;
        logger.warn(`Failed to read the request body: ${(error as Error).message}`);
        HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 401);
      },
    );
  };
  return receiver;
}

/**
 * Every listener here acks first and app.error takes what they throw, so an
 * error reaching the receiver unanswered comes from Bolt reading the body
 * (or is the app's MalformedBody, which app.error rethrows for this).
 */
async function answerMalformed(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  const { error, response, logger } = args;
  if (response.headersSent || !(error instanceof TypeError))
    return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  // Not the message: it can quote the hostile value (`Cannot use 'in' operator … in 42`).
  logger.warn("Malformed request body: a field Bolt routes by is missing or of the wrong type");
  HTTPModuleFunctions.buildNoBodyResponse(response, 400);
  return true;
}

/**
 * Bolt logs a body it cannot parse as `Malformed request body: <JSON.parse's
 * message>`, which quotes the body. A client's request is not ours to log:
 * the line keeps what happened and drops what was sent.
 */
function withoutBodyValues(logger: Logger): Logger {
  const quiet: Logger = Object.create(logger);
  quiet.warn = (...msg: unknown[]) =>
    logger.warn(
      ...msg.map((m) =>
        typeof m === "string" && m.startsWith(MALFORMED) ? `${MALFORMED}not JSON or form data` : m,
      ),
    );
  return quiet;
}
const MALFORMED = "Malformed request body: ";

/** Whether Bolt's parseHTTPRequestBody would return null for this body. */
function parsesToNull(req: IncomingMessage & { rawBody: Buffer }): boolean {
  if (req.headers["content-type"] === "application/x-www-form-urlencoded") {
    // Slack's interactions (`payload=%7B…`, a JSON object) are never null: skip parsing them twice.
    if (req.rawBody.subarray(0, 11).toString("latin1") === "payload=%7B") return false;
    const { payload } = parse(req.rawBody.toString());
    return typeof payload === "string" && JSON_NULL.test(payload);
  }
  return JSON_NULL.test(req.rawBody.toString());
}

/**
 * Bolt 5.1's SocketModeReceiver with the same holes closed as the HTTP one,
 * where they are worse: an envelope that is not acknowledged is sent again.
 * - A payload whose fields Bolt's routing cannot read (see answerMalformed)
 *   is logged by Bolt's default handler with the error's message, which
 *   quotes the value, and never acknowledged: acknowledged, logged without it.
 * - @slack/socket-mode 3.1 reads `payload.event.type` of every events_api
 *   envelope unguarded: one without an event object rejects in its message
 *   handler, unhandled, and is never acknowledged. The rejection is caught
 *   here and the envelope acknowledged.
 */
export function createSocketModeReceiver(options: {
  appToken: string;
  logger: Logger;
  /** The Web API options of the app (apps.connections.open goes where its other calls go). */
  clientOptions: webApi.WebClientOptions;
}): SocketModeReceiver {
  const framework = forFramework(options.logger);
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger: framework,
    logLevel: framework.getLevel(),
    installerOptions: { clientOptions: options.clientOptions },
    processEventErrorHandler: (args) => acknowledgeMalformed({ ...args, logger: options.logger }),
  });
  const { client } = receiver;
  // Protected in @slack/socket-mode; the constructor subscribed it, bound, to every WebSocket message.
  const read = (client as unknown as { onWebSocketMessage: WebSocketMessageHandler }).onWebSocketMessage.bind(
    client,
  );
  client.removeAllListeners("ws_message");
  client.on("ws_message", (data: unknown, isBinary: boolean) => {
    read(data, isBinary).catch(() => {
      options.logger.warn(
        "Malformed Socket Mode envelope: a field the client routes by is missing or of the wrong type",
      );
      const envelopeId = envelopeIdOf(data);
      // What the client's own ack sends; the fake and Slack match it by envelope_id.
      if (envelopeId)
        client.websocket?.send(JSON.stringify({ envelope_id: envelopeId, payload: {} }), () => {});
    });
  });
  return receiver;
}
type WebSocketMessageHandler = (data: unknown, isBinary: boolean) => Promise<void>;

/** Socket Mode's answerMalformed: a TypeError is the payload's fault; acknowledge it (true), quote nothing. */
async function acknowledgeMalformed(args: SocketModeReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (!(args.error instanceof TypeError)) return defaultProcessEventErrorHandler(args);
  args.logger.warn("Malformed Socket Mode payload: a field Bolt routes by is missing or of the wrong type");
  return true;
}

/** The envelope id of a message the client could not handle (parsed only then). */
function envelopeIdOf(data: unknown): string | undefined {
  try {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer);
    const id = (JSON.parse(text) as { envelope_id?: unknown } | null)?.envelope_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
