// The questions an interrupted run waits on, read from what `invoke` returned (or a `stream`
// chunk): plain JSON, with the interrupt id to resume each one by.
import { pendingQuestionFormat, type PendingQuestion } from '@handrail/core';

/**
 * One question a paused agent waits on, and the interrupt id its answer is given by.
 *
 * @example
 * const { interruptId, question } = pendingQuestions(result)[0]!;
 */
export interface InterruptedQuestion {
  interruptId: string;
  question: PendingQuestion;
}

/**
 * The Handrail questions in an `invoke` result, a `stream` chunk or a state snapshot's
 * interrupts (`__interrupt__`). Resume each with its answer:
 * `new Command({ resume: { [interruptId]: { kind: 'approve', by: 'ana' } } })` — several at once
 * in one map. Interrupts that are not Handrail questions are left out.
 *
 * @example
 * for (const { interruptId, question } of pendingQuestions(result)) {
 *   const answer = await askSomeone(question.request); // { kind: 'reject', message: 'not eligible' }
 *   result = await agent.invoke(new Command({ resume: { [interruptId]: answer } }), config);
 * }
 */
export function pendingQuestions(result: unknown): InterruptedQuestion[] {
  const interrupts = (result as { __interrupt__?: unknown } | null | undefined)?.__interrupt__;
  if (!Array.isArray(interrupts)) return [];
  return interrupts.flatMap((item: { id?: unknown; value?: unknown }) => {
    const value = item?.value as PendingQuestion | undefined;
    return typeof item?.id === 'string' && value?.format === pendingQuestionFormat ? [{ interruptId: item.id, question: value }] : [];
  });
}
