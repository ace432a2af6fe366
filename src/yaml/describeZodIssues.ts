import type { z } from "zod";
import type { IssuePath, PointAt } from "./parseYaml.ts";

/**
 * zod issues as (path, message) pairs a person can act on: an unknown key is
 * pinned to the key itself, and a missing value says which key is missing.
 */
export function describeZodIssues(
  error: z.ZodError,
): Array<{ path: IssuePath; message: string; pointAt?: PointAt }> {
  return error.issues.flatMap((issue) => {
    const path = issue.path as IssuePath;
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key "${key}" (a typo?)`,
        pointAt: "key" as const,
      }));
    if (
      issue.code === "invalid_type" &&
      path.length === 0 &&
      (issue.input === undefined || issue.input === null)
    )
      return [
        {
          path,
          message: `the file ${issue.input === null ? "holds only null" : "is empty"} (expected ${typeName(issue.expected)})`,
        },
      ];
    if (issue.code === "invalid_type" && issue.input === undefined && !issue.message.startsWith("missing"))
      return [{ path, message: `missing "${String(path.at(-1) ?? "value")}" (expected ${issue.expected})` }];
    // The type only, not the value: it may be long, or not meant for a log.
    if (issue.code === "invalid_type" && !issue.message.startsWith("missing"))
      return [
        {
          path,
          message: `"${String(path.at(-1) ?? "value")}" must be ${typeName(issue.expected)}, not ${typeOf(issue.input)}`,
        },
      ];
    // zod's own "Invalid input" says nothing; a union that names its forms keeps its message.
    if (issue.code === "invalid_union")
      return [
        { path, message: issue.message === "Invalid input" ? "not one of the allowed forms" : issue.message },
      ];
    return [{ path, message: issue.message }];
  });
}

function typeName(expected: string): string {
  if (expected === "object") return "a mapping";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function typeOf(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return typeName(typeof input);
}
