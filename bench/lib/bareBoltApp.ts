// The baseline for bench/versus-bolt.bench.ts: a bare Bolt app (same version,
// same HTTP receiver, same signing secret) that acknowledges every button and
// does nothing else. Run as its own process, like the real app.
import { benchBoltApp, serveBenchApp } from "./benchBoltApp.ts";

const app = benchBoltApp();
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await serveBenchApp(app);
