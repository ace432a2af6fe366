import {
  answerQuestion,
  changeAnswer,
  goBack,
  type Lang,
  type Progressed,
  restartConsultation,
  startConsultation,
} from "../engine/index.ts";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile } from "../paths.ts";
import { renderOutcomeText, renderQuestionText } from "../present/renderText.ts";
import { parseArgsOnce } from "../util/parseArgsOnce.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";
import { createLineReader } from "./lineReader.ts";

const HELP = `A consultation in the terminal.

Usage: npm run chat -- [--lang ja|en] [--flow FILE]
  --lang      ja (default) or en
  --flow      default flows/ssl-migration.yaml

At a question: type the option's number; b = back, r = start over,
c = change an earlier answer, q = quit. Works with piped input, e.g.
  printf '1\\n1\\n2\\n1\\n' | npm run -s chat
Exits 0 when the result is shown, 1 when input ends (or q quits) first, 2 on bad usage.`;

const UI = {
  ja: {
    prompt: "番号を入力（b=戻る r=最初から c=回答を変更 q=終了）> ",
    which: "変更する回答の番号 > ",
    invalid: "入力が正しくありません。表示された番号か b / r / c / q を入力してください。",
    nothingToChange: "まだ回答がありません。",
    cannotGoBack: "これ以上戻れません。",
    ended: "結果を表示する前に入力が終わりました。",
  },
  en: {
    prompt: "Type a number (b=back r=start over c=change an answer q=quit) > ",
    which: "Number of the answer to change > ",
    invalid: "Please type one of the numbers shown, or b / r / c / q.",
    nothingToChange: "No answers yet.",
    cannotGoBack: "There is nothing to go back to.",
    ended: "Input ended before the result.",
  },
} as const;

async function main(argv: string[]): Promise<number> {
  let values: { lang?: string; flow?: string; help?: boolean };
  try {
    ({ values } = parseArgsOnce({
      args: argv,
      options: { lang: { type: "string" }, flow: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const lang = values.lang ?? "ja";
  if (lang !== "ja" && lang !== "en") {
    process.stderr.write(`--lang must be ja or en, not "${lang}"\n`);
    return 2;
  }
  const loaded = loadFlowFile(values.flow ?? defaultFlowFile);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatPositionedError(e)}\n`);
    return 2;
  }
  return converse(loaded.compiled, lang);
}

async function converse(compiled: Parameters<typeof startConsultation>[0], lang: Lang): Promise<number> {
  const ui = UI[lang];
  const reader = createLineReader(process.stdin, process.stdout);
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`${compiled.flow.title[lang]}`);
  if (compiled.flow.description) say(compiled.flow.description[lang]);
  let at: Progressed = startConsultation(compiled, lang);
  try {
    while (at.step.kind === "question") {
      say(renderQuestionText(at.step, lang));
      const input = await reader.ask(ui.prompt);
      if (input === null) {
        say(`\n${ui.ended}`);
        return 1;
      }
      const command = input.trim().toLowerCase();
      if (command === "q") return 1;
      if (command === "r") {
        at = restartConsultation(compiled, at.consultation);
        continue;
      }
      if (command === "b") {
        const back = goBack(compiled, at.consultation);
        if (back.ok) at = back.value;
        else say(ui.cannotGoBack);
        continue;
      }
      if (command === "c") {
        const { answers } = at.step;
        if (answers.length === 0) {
          say(ui.nothingToChange);
          continue;
        }
        answers.forEach((a, i) => {
          say(`  ${i + 1}) ${a.questionText} → ${a.optionLabel}`);
        });
        const pick = await reader.ask(ui.which);
        const chosen = answers[Number(pick?.trim()) - 1];
        if (!chosen) {
          say(ui.invalid);
          continue;
        }
        const changed = changeAnswer(compiled, at.consultation, chosen.question);
        if (changed.ok) at = changed.value;
        continue;
      }
      const option = at.step.question.options[Number(command) - 1];
      if (!/^[0-9]+$/.test(command) || !option) {
        say(ui.invalid);
        continue;
      }
      const next = answerQuestion(compiled, at.consultation, at.step.question.id, option.id);
      if (next.ok) at = next.value;
      else say(next.error.message);
    }
    say(renderOutcomeText(at.step, lang));
    return 0;
  } finally {
    reader.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`unexpected error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
