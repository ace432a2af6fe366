import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that can be switched off and on, so a
 * store sees real refused connections and dropped sessions, without stopping
 * the server other tests use.
 */
export async function startProxy(target: { host: string; port: number }, options: { delayMs?: number } = {}) {
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection(target);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on("close", () => sockets.delete(sock));
          sock.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        upstream.pipe(client);
        if (delayMs === 0) client.pipe(upstream);
        else {
          // What the client sends reaches the server delayMs later, in order (equal
          // timeouts fire in order); if the client dies first, it never arrives,
          // as when a process is killed before its bytes leave the machine.
          client.on("data", (chunk: Buffer) => {
            setTimeout(() => {
              if (!client.destroyed && !upstream.destroyed) upstream.write(chunk);
            }, delayMs);
          });
          client.on("close", () => upstream.destroy());
        }
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    /** Refuses new connections and cuts the open ones. */
    async down() {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      if (s !== null) await new Promise<void>((r) => s.close(() => r()));
    },
    up: listen,
    close() {
      return this.down();
    },
  };
}

/** The URL with host and port replaced by the proxy's. */
export function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
}
