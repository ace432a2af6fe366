import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Slack's side of Socket Mode, for the fake: a WebSocket endpoint (RFC 6455,
 * text frames, ping/pong, close) that says `hello`, sends envelopes
 * (`slash_commands`, `interactive`, `events_api`) and waits for the app to
 * acknowledge each by its envelope_id. Only what the app's client uses.
 */
export interface SocketModeSide {
  /** Resolves once an app has connected and been greeted. */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope and resolves with the app's acknowledgement (which may carry a payload). */
  send(
    type: "slash_commands" | "interactive" | "events_api",
    payload: unknown,
    timeoutMs?: number,
  ): Promise<Ack>;
  /** Closes every connection (the app's client then reconnects through apps.connections.open). */
  disconnectAll(): void;
}

export interface Ack {
  envelope_id: string;
  payload?: unknown;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export function attachSocketMode(server: Server, path: string): SocketModeSide {
  const sockets = new Set<Duplex>();
  const acks = new Map<string, (ack: Ack) => void>();
  let onConnect: Array<() => void> = [];

  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const key = req.headers["sec-websocket-key"];
    if (new URL(req.url ?? "/", "http://fake").pathname !== path || typeof key !== "string") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const frame = readFrame(buffered);
        if (!frame) break;
        buffered = buffered.subarray(frame.length);
        if (frame.opcode === 0x9) socket.write(encodeFrame(0xa, frame.data));
        else if (frame.opcode === 0x8) {
          socket.end(encodeFrame(0x8, Buffer.alloc(0)));
          sockets.delete(socket);
        } else if (frame.opcode === 0x1) {
          try {
            const message = JSON.parse(frame.data.toString("utf8")) as Ack;
            if (typeof message.envelope_id === "string") acks.get(message.envelope_id)?.(message);
          } catch {
            // not ours to understand
          }
        }
      }
    });
    socket.write(
      encodeFrame(
        0x1,
        Buffer.from(
          JSON.stringify({
            type: "hello",
            num_connections: sockets.size,
            debug_info: { host: "fake-slack", approximate_connection_time: 3600 },
            connection_info: { app_id: "A0SSLMOVE" },
          }),
        ),
      ),
    );
    for (const resolve of onConnect.splice(0)) resolve();
  });

  return {
    connected(timeoutMs = 5_000) {
      if (sockets.size > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("fake Slack: no Socket Mode connection")), timeoutMs);
        onConnect.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    send(type, payload, timeoutMs = 5_000) {
      const [socket] = sockets;
      if (!socket) return Promise.reject(new Error("fake Slack: no Socket Mode connection"));
      const envelopeId = randomUUID();
      const acked = new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(envelopeId);
          reject(new Error(`fake Slack: envelope ${type} not acknowledged within ${timeoutMs} ms`));
        }, timeoutMs);
        acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          acks.delete(envelopeId);
          resolve(ack);
        });
      });
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        retry_attempt: 0,
        retry_reason: "",
      };
      socket.write(encodeFrame(0x1, Buffer.from(JSON.stringify(envelope))));
      return acked;
    },
    disconnectAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      onConnect = [];
    },
  };
}

function readFrame(buffer: Buffer): { opcode: number; data: Buffer; length: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] as number) & 0x0f;
  const masked = ((buffer[1] as number) & 0x80) !== 0;
  let size = (buffer[1] as number) & 0x7f;
  let offset = 2;
  if (size === 126) {
    if (buffer.length < 4) return undefined;
    size = buffer.readUInt16BE(2);
    offset = 4;
  } else if (size === 127) {
    if (buffer.length < 10) return undefined;
    size = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLength = masked ? 4 : 0;
  if (buffer.length < offset + maskLength + size) return undefined;
  const mask = buffer.subarray(offset, offset + maskLength);
  const data = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + size));
  if (masked) for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (mask[i % 4] as number);
  return { opcode, data, length: offset + maskLength + size };
}

function encodeFrame(opcode: number, data: Buffer): Buffer {
  const size = data.length;
  const header =
    size < 126
      ? Buffer.from([0x80 | opcode, size])
      : size < 65536
        ? Buffer.from([0x80 | opcode, 126, size >> 8, size & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(size)]);
  return Buffer.concat([header, data]);
}

function bigLength(size: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(size));
  return b;
}
