// A third reference for bench/versus-bolt.bench.ts: the least a Bolt app that
// answers a button by redrawing its message must do. It acknowledges (Bolt
// still verifies the request's signature), then posts a message serialised
// before the run (the very one this app would draw, from BENCH_REDRAWS) to the
// click's response_url through the same keep-alive undici Pool the app uses:
// no state, no decision, no rendering, no button-state HMAC, no records, no
// origin check. A button's ack cannot redraw its message (that takes a post to
// response_url or a chat.update call), so no single-process Bolt app that
// redraws can cost less; its ratio to bare Bolt bounds what such an app can
// reach on the machine.
import { poolFor } from "../../src/slack/responseUrl.ts";
import { benchBoltApp, readRedraws, serveBenchApp } from "./benchBoltApp.ts";

// Serialised once: the floor pays for no JSON.stringify per click.
const bodies = new Map(
  Object.entries(readRedraws()).map(([id, message]) => [
    id,
    JSON.stringify({ replace_original: true, ...message }),
  ]),
);
const app = benchBoltApp();
let failures = 0;
app.action(/.*/, async ({ ack, action, body }) => {
  await ack();
  const payload = "action_id" in action ? bodies.get(action.action_id) : undefined;
  const responseUrl = "response_url" in body ? body.response_url : undefined;
  if (!payload || !responseUrl) return;
  const url = new URL(responseUrl);
  try {
    const res = await poolFor(url.origin).request({
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: payload,
    });
    await res.body.dump();
  } catch (error) {
    // The bench notices missing redraws at the sink; one line here says why, not thousands.
    if (failures++ === 0) process.stderr.write(`boltFloorApp: post failed: ${(error as Error).message}\n`);
  }
});
await serveBenchApp(app);
