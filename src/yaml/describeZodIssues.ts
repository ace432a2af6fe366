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
    if (issue.code === "invalid_type" && issue.input === undefined && !issue.message.startsWith("missing"))
      return [{ path, message: `missing "${String(path.at(-1) ?? "value")}" (expected ${issue.expected})` }];
    if (issue.code === "invalid_union") return [{ path, message: "not one of the allowed forms" }];
    return [{ path, message: issue.message }];
  });
}
