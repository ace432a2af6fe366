import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "../../src/records/csv.ts";

describe("CSV", () => {
  it("quotes only the fields that need it, doubling quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField(" padded ")).toBe('" padded "');
    expect(csvField(3)).toBe("3");
    expect(csvField(true)).toBe("true");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("writes a header row and CRLF-terminated rows", () => {
    const rows = [
      { id: "A", note: 'x, "y"' },
      { id: "B", note: "" },
    ];
    expect(toCsv(["id", "note"], rows)).toBe('id,note\r\nA,"x, ""y"""\r\nB,\r\n');
    expect(toCsv(["id", "note"], [])).toBe("id,note\r\n");
  });
});
