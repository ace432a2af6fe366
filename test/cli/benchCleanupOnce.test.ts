import { expect, it } from "vitest";
import { atCleanup, cleanUp } from "../../bench/lib/cleanup.ts";

// cleanup.ts promises "a later call runs what was registered since".
it("a cleanUp() with nothing registered yet does not stop a later cleanUp() from running new steps", async () => {
  await cleanUp();
  let ran = false;
  atCleanup(() => {
    ran = true;
  }, "a step registered after the first cleanUp");
  await cleanUp();
  expect(ran).toBe(true);
});
