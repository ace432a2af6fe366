// A second reference for bench/versus-bolt.bench.ts: Bolt doing this app's
// job in the plainest way it offers. It acknowledges the button, then redraws
// the message with Bolt's own respond(), posting the very message this app
// would draw (read from BENCH_REDRAWS, a JSON file of action_id → message),
// with no state, no flow, no records. Its own process, like the real app.
import { benchBoltApp, readRedraws, serveBenchApp } from "./benchBoltApp.ts";

const redraws = readRedraws();
const app = benchBoltApp();
let failures = 0;
app.action(/.*/, async ({ ack, action, respond }) => {
  await ack();
  const message = "action_id" in action ? redraws[action.action_id] : undefined;
  if (!message) return;
  // The bench notices missing redraws at the sink; one line here says why, not thousands.
  await respond({ replace_original: true, ...message }).catch((error: Error) => {
    if (failures++ === 0) process.stderr.write(`boltRespondApp: respond() failed: ${error.message}\n`);
  });
});
await serveBenchApp(app);
