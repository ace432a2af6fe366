import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultFlowFile = fileURLToPath(new URL("../flows/ssl-migration.yaml", import.meta.url));
export const defaultReplayDir = fileURLToPath(new URL("../flows/replays", import.meta.url));
