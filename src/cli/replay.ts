import { relative } from "node:path";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile, defaultReplayDir } from "../paths.ts";
import { findCaseFiles, loadCaseFile } from "../replay/loadCases.ts";
import { type CaseResult, runCase } from "../replay/runCase.ts";
import { parseArgsOnce } from "../util/parseArgsOnce.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";

const HELP = `Replays recorded consultations against the engine.

Usage: npm run replay -- [--json] [--flow FILE] [FILES OR FOLDERS...]

  FILES OR FOLDERS  replay files (.yaml, .yml, .json); folders are searched
                    recursively. Default: flows/replays
  --flow FILE       the flow to replay against (default: flows/ssl-migration.yaml)
  --json            one JSON object per case per line, then the summary line
  -h, --help        this help

A file holds one case or "cases: [...]". An answer-map case has "answers" and
"expect" (route required; fee, installer, asked, reasons optional); a transcript
case has "steps" (answers, back, change, restart, lang, each with an optional
"next" question id, or "done"). The last line is "N passed, M failed"; the exit
code is 0 only when every case passed.`;

function main(argv: string[]): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const json = args.values.json === true;
  const loaded = loadFlowFile(args.values.flow ?? defaultFlowFile);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatPositionedError(e)}\n`);
    process.stderr.write("The flow file has errors; nothing was replayed.\n");
    return 2;
  }
  const { files, errors: missing } = findCaseFiles(
    args.positionals.length > 0 ? args.positionals : [defaultReplayDir],
  );
  let passed = 0;
  let failed = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
    out.length = 0;
  };
  // A file that cannot be read counts as one failure, however many errors it shows.
  const reportError = (message: string, file: string, count = true) => {
    if (count) failed++;
    if (json)
      out.push(
        JSON.stringify({
          name: file,
          ok: false,
          route: null,
          installer: null,
          fee: null,
          asked: [],
          error: message,
        }),
      );
    else out.push(`FAIL ${message}`);
  };
  for (const e of missing) reportError(formatPositionedError(e), e.file);
  for (const file of files) {
    const { cases, errors } = loadCaseFile(file);
    errors.forEach((e, i) => {
      reportError(formatPositionedError(e), file, i === 0);
    });
    for (const { testCase } of cases) {
      const result = runCase(loaded.compiled, testCase);
      if (result.ok) passed++;
      else failed++;
      if (json) out.push(JSON.stringify(jsonLine(result)));
      else if (!result.ok)
        out.push(`FAIL ${relative(process.cwd(), file)} › ${result.name}: ${result.error}`);
    }
    if (out.length > 1000) flush();
  }
  flush();
  if (passed + failed === 0) {
    process.stdout.write("no replay cases found\n0 passed, 0 failed\n");
    return 1;
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgsOnce({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      flow: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function jsonLine(r: CaseResult) {
  return {
    name: r.name,
    ok: r.ok,
    route: r.route,
    installer: r.installer,
    fee: r.fee,
    asked: r.asked,
    reasons: r.reasons,
    error: r.error,
  };
}

process.exitCode = main(process.argv.slice(2));
