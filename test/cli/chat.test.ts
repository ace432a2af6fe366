import { describe, expect, it } from "vitest";
import { runCli } from "../support/runCli.ts";

const chat = (input: string, ...args: string[]) => runCli("src/cli/chat.ts", args, input);

describe("npm run chat", () => {
  it("walks a reissue consultation from piped input and shows the fee with and without tax", () => {
    // valid, another company's shared hosting, new VPS, from us, key not exportable, reissuable, same CSR, self.
    const { code, stdout } = chat("1\n2\n2\n1\n2\n1\n1\n1\n");
    expect(stdout).toContain("🔁");
    expect(stdout).toContain("1,500円（税別）");
    expect(stdout).toContain("1,650円（税込）");
    expect(stdout).toContain("[P6]");
    // Progress as in Slack: the first question of at most N, then the second of the same N.
    const progress = [...stdout.matchAll(/質問 (\d+) \/ 最大 (\d+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(progress[0]?.[0]).toBe(1);
    expect(progress[1]?.[0]).toBe(2);
    expect(progress.every(([n, max]) => (n ?? 0) <= (max ?? 0))).toBe(true);
    expect(stdout).toContain("route: reissue · installer: self · fee: reissue_admin");
    expect(code).toBe(0);
  });

  it("speaks English with --lang en and supports back, restart and change", () => {
    // 1 valid, b back, 1 valid, 1 our shared, r restart, 1 valid, 1 our shared, 2 VPS,
    // c change → 2 (current server) → 3 (VPS: the destination answer is kept), then 2 (we install).
    const { code, stdout } = chat("1\nb\n1\n1\nr\n1\n1\n2\nc\n2\n3\n2\n", "--lang", "en");
    expect(stdout).toContain("Is the certificate still within its validity period?");
    expect(stdout).toContain("previous answer");
    expect(stdout).toContain("route: move · installer: us · fee: setup_first_year");
    expect(stdout).toContain("per the price list");
    expect(code).toBe(0);
  });

  it("refuses bad input politely, and exits 1 when input ends before the result", () => {
    const { code, stdout } = chat("9\nx\n");
    expect(stdout).toContain("入力が正しくありません");
    expect(stdout).toContain("入力が終わりました");
    expect(code).toBe(1);
  });

  it("rejects an unknown language", () => {
    const { code, stderr } = chat("", "--lang", "fr");
    expect(stderr).toContain("--lang must be ja or en");
    expect(code).toBe(2);
  });
});
