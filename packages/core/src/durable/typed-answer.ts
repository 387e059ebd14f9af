// Typed text (the io, getHumanInput) and approval answers, each read as the other, as the
// bundled agents read them (AutoGen's meaning): "" is no input, "exit" ends the chat, any other
// text is a reply.
import type { ApprovalAnswer } from '../channels/approval.js';

/** The text typed at an io that ends the chat, as in AutoGen. */
export const exitText = 'exit';

/** Typed text as an answer: `exit` is a reject (which ends the chat), anything else a reply ("" is no input). */
export function answerOfTypedText(text: string, at: string): ApprovalAnswer {
  return text === exitText ? { kind: 'reject', message: exitText, at } : { kind: 'reply', text, at };
}

/**
 * A typed answer, as the io path reads it: a reply is its text; given through the store, reject
 * is `exit`, approve is Enter (no input: the escalation's `else` applies), an edit is its
 * arguments as JSON; a timeout is no input.
 */
export function typedAnswer(answer: ApprovalAnswer): { answer: string; timedOut: boolean } {
  switch (answer.kind) {
    case 'reply':
      return { answer: answer.text, timedOut: false };
    case 'reject':
      return { answer: exitText, timedOut: false };
    case 'edit':
      return { answer: JSON.stringify(answer.args), timedOut: false };
    case 'approve':
      return { answer: '', timedOut: false };
    case 'timeout':
      return { answer: '', timedOut: true };
  }
}
