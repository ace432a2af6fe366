// Shared with the sandbox, which signs requests the same way at run time.
export * from "../../src/slack/fakeSlack/signedClient.ts";
