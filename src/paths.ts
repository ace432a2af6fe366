import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultFlowFile = fileURLToPath(new URL("../flows/ssl-migration.yaml", import.meta.url));
export const defaultReplayDir = fileURLToPath(new URL("../flows/replays", import.meta.url));

/**
 * tsx's loader as an absolute URL, for `node --import <it> file.ts` from any
 * working directory. Tests and benchmarks start the app this way rather than
 * through the tsx launcher, which runs it in a child process of its own (a
 * SIGKILL would then leave the app running).
 */
export const tsxLoader = new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
