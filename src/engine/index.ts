export { answerQuestion } from "./answerQuestion.ts";
export { changeAnswer } from "./changeAnswer.ts";
export { computeFee } from "./computeFee.ts";
export { goBack } from "./goBack.ts";
export { restartConsultation } from "./restartConsultation.ts";
export { startConsultation } from "./startConsultation.ts";
export { switchLanguage } from "./switchLanguage.ts";
export * from "./types.ts";
export { viewConsultation } from "./viewConsultation.ts";
