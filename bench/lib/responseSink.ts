// A separate process that accepts response_url posts and answers as Slack does,
// so the load generator's process does no work for the app's redraws.
import { createServer } from "node:http";

let received = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received++;
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening on port ${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("message", () => process.send?.(received));
process.once("SIGTERM", () => process.exit(0));
