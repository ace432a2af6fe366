import { defineConfig } from "vitest/config";
import { scaledTimeout } from "./test/support/propertyRuns.ts";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Property tests run PROPERTY_RUNS_FACTOR times longer under `npm run test:long`.
    testTimeout: scaledTimeout(30_000),
    hookTimeout: 30_000,
  },
});
