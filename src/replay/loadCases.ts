import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { z } from "zod";
import { describeZodIssues } from "../yaml/describeZodIssues.ts";
import { type PositionedError, parseYaml } from "../yaml/parseYaml.ts";
import { AnswerMapCase, type ReplayCase, TranscriptCase } from "./caseSchema.ts";

export interface LoadedCase {
  file: string;
  testCase: ReplayCase;
}

export interface LoadedCases {
  cases: LoadedCase[];
  errors: PositionedError[];
}

const CASE_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Expands files and folders (recursively) into case files, sorted for a stable order. */
export function findCaseFiles(paths: string[]): { files: string[]; errors: PositionedError[] } {
  const files: string[] = [];
  const errors: PositionedError[] = [];
  const visit = (path: string, explicit: boolean) => {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      errors.push({ file: path, line: 1, col: 1, path: "", message: "no such file or folder" });
      return;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry), false);
    } else if (explicit || CASE_EXTENSIONS.has(extname(path))) files.push(path);
  };
  for (const path of paths) visit(path, true);
  return { files, errors };
}

export function loadCaseFile(file: string): LoadedCases {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { cases: [], errors: [{ file, line: 1, col: 1, path: "", message: (error as Error).message }] };
  }
  return parseCases(text, file);
}

/** A file holds one case or `cases: [...]`; every malformed case is reported with its position. */
export function parseCases(text: string, file: string): LoadedCases {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { cases: [], errors: parsed.errors };
  const { data, locate } = parsed;
  const isList = typeof data === "object" && data !== null && "cases" in data;
  const raw: Array<{ value: unknown; path: Array<string | number> }> = isList
    ? Array.isArray((data as { cases: unknown }).cases)
      ? ((data as { cases: unknown[] }).cases.map((value, i) => ({ value, path: ["cases", i] })) ?? [])
      : []
    : [{ value: data, path: [] }];
  if (isList && raw.length === 0)
    return { cases: [], errors: [locate(["cases"], "cases must be a non-empty list")] };
  const cases: LoadedCase[] = [];
  const errors: PositionedError[] = [];
  for (const { value, path } of raw) {
    const schema: z.ZodType<ReplayCase> =
      typeof value === "object" && value !== null && "steps" in value ? TranscriptCase : AnswerMapCase;
    const checked = schema.safeParse(value, { reportInput: true });
    if (checked.success) cases.push({ file, testCase: checked.data });
    else
      for (const issue of describeZodIssues(checked.error))
        errors.push(locate([...path, ...issue.path], issue.message, issue.pointAt));
  }
  return { cases, errors };
}
