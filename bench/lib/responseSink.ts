// A separate process that accepts response_url posts and answers as Slack does,
// so the load generator's process does no work for the app's redraws. It notes
// when each post arrived; over IPC, "count" asks how many arrived so far and
// "take" hands over (and forgets) the arrivals as [path, Date.now()] pairs.
import { createServer } from "node:http";

let received = 0;
let arrivals: [string, number][] = [];
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received++;
    arrivals.push([req.url ?? "", Date.now()]);
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening on port ${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("message", (question) => {
  if (question === "take") {
    process.send?.(arrivals);
    arrivals = [];
  } else process.send?.(received);
});
process.once("SIGTERM", () => process.exit(0));
// The bench that forked it died without stopping it (SIGKILL, a crash): no one is left to post.
process.once("disconnect", () => process.exit(0));
