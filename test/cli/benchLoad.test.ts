import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clientFor, drive, percentiles } from "../../bench/lib/clickLoad.ts";
import { median } from "../../bench/lib/median.ts";

// The figures the benches print are only as honest as these two pieces.

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([9463, 6795, 9537, 7000])).toBe(8231.5);
    expect(median([])).toBeNaN();
  });
});

describe("drive, with clicks offered at a rate", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it("counts a click that found every client busy from when it was due (no coordinated omission)", async () => {
    // 2 clients, 50 ms per answer: at most 40 clicks/s, offered at 200/s.
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end("ok"), 50));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const client = clientFor((server.address() as AddressInfo).port, 2);
    let n = 0;
    const make = () => ({ body: `payload=${n}`, responseUrl: `http://sink/${n++}` });
    const result = await drive(client, { total: 30, concurrency: 2, rate: 200 }, make);
    client.close();
    // The last click was due at 145 ms and sent after ~700 ms: its wait is in its latency.
    expect(result.late).toBeGreaterThan(20);
    expect(percentiles(result.ackMs).max).toBeGreaterThan(500);
    // The redraw clock starts at the same moment.
    const sent = [...result.sentAt.values()];
    expect(Math.max(...sent) - Math.min(...sent)).toBeLessThan(300);
  });

  it("does not count a client's own timer wait below saturation", async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const client = clientFor((server.address() as AddressInfo).port, 5);
    let n = 0;
    const make = () => ({ body: `payload=${n}`, responseUrl: `http://sink/${n++}` });
    const result = await drive(client, { total: 20, concurrency: 5, rate: 100 }, make);
    client.close();
    expect(result.late).toBe(0);
    expect(percentiles(result.ackMs).p50).toBeLessThan(20);
  });
});
