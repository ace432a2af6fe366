// Shared with the sandbox, which builds the same payloads at run time.
export * from "../../src/slack/fakeSlack/payloads.ts";
