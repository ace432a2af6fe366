/** What the app uses from the records layer. */
export { type BufferedRecorder, createBufferedRecorder, type RecorderStats } from "./bufferedRecorder.ts";
export { redactUrl } from "./databaseUrlSecrets.ts";
export { eventId } from "./eventId.ts";
export { type OpenedStore, openStore, StoreConfigError } from "./openStore.ts";
export {
  applyRetention,
  RetentionConfigError,
  retentionDaysFromEnv,
  scheduleDeliveryPrune,
  scheduleRetention,
} from "./retention.ts";
export type * from "./types.ts";
