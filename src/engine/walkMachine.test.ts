import { describe, expect, it } from "vitest";
import { loadRealFlow } from "../../test/support/flow.ts";
import type { Result } from "./types.ts";
import { replay, startPosition } from "./walkMachine.ts";

const compiled = loadRealFlow();

function must<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe("walkMachine", () => {
  it("replays the same answers to the same position object: every click replays, so transitions are memoised and memory stays one position per tree node", () => {
    const answers: Array<[string, string]> = [
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
    ];
    expect(must(replay(compiled, []))).toBe(startPosition(compiled));
    const first = must(replay(compiled, answers));
    const again = must(replay(compiled, answers));
    expect(again).toBe(first);
    expect(must(replay(compiled, answers.slice(0, 2)))).toBe(must(replay(compiled, answers.slice(0, 2))));
  });
});
