// Loaded with `node --import` into every process a bench spawns (see
// startAppProcess), which gets an IPC channel to the bench for this alone:
// when the bench dies without stopping it (SIGKILL, a crash), the channel
// closes and the process stops as on SIGTERM, with its own graceful shutdown,
// instead of running on with PPID 1. No message is ever sent on the channel.
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
