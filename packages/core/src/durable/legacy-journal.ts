// Journals written before the bundled agents asked through the supervisor journaled an
// escalation asked at the io as `ask:<agent>#N`, numbered with the agent's other typed questions
// (the first message), with the typed text as its answer (a `reply`). The supervisor now asks
// every escalation as `approval:<agent>#N`, and reads typed text as an answer (`exit` a reject).
// This is the one place such a journal is read as it would be written now; a journal without
// such a question is read exactly as written.
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';
import type { JournalRecord } from './journal-record.js';
import { answerOfTypedText, typedAnswer } from './typed-answer.js';

/** An agent's question key: `ask:<agent>#N` (typed) or `approval:<agent>#N` (an escalation). */
const agentQuestionKey = /^(ask|approval):(.*)#(\d+)$/;

/** The reason of a typed question that no escalation asked (see askInRun). */
const plainQuestionReason = 'a question to a person';

function isLegacyEscalation(record: JournalRecord): record is Extract<JournalRecord, { type: 'approval-requested' }> {
  if (record.type !== 'approval-requested' || !record.key.startsWith('ask:')) return false;
  const decision: Partial<ApprovalRequest['decision']> = record.request?.decision ?? {};
  return decision.rule !== null || decision.reason !== plainQuestionReason;
}

/** The typed text as the supervisor's typed channel answers now: Enter and timeout are no answer, `exit` a reject. */
function currentTypedAnswer(answer: ApprovalAnswer): ApprovalAnswer {
  const typed = typedAnswer(answer);
  const read = typed.timedOut ? ({ kind: 'timeout', at: answer.at } as ApprovalAnswer) : answerOfTypedText(typed.answer, answer.at);
  return 'by' in answer && answer.by !== undefined && read.kind !== 'timeout' ? { ...read, by: answer.by } : read;
}

/**
 * How each record of `records` reads now. With an old escalation in it, agents' questions are
 * numbered again in journal order — the k-th escalation of an agent is `approval:<agent>#k`, its
 * k-th other typed question `ask:<agent>#k` (the keys the code asks for on replay) — and an old
 * escalation's answer is its typed text read as an answer. Answers find their question by id.
 */
export function legacyJournalReader(records: readonly JournalRecord[]): (record: JournalRecord) => JournalRecord {
  if (!records.some(isLegacyEscalation)) return (record) => record;
  const keys = new Map<string, string>();
  const typed = new Set<string>();
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.type !== 'approval-requested') continue;
    const match = agentQuestionKey.exec(record.key);
    if (!match) continue;
    const legacy = isLegacyEscalation(record);
    const prefix = `${match[1] === 'approval' || legacy ? 'approval' : 'ask'}:${match[2]}`;
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    keys.set(record.request.id, `${prefix}#${n}`);
    if (legacy) typed.add(record.request.id);
  }
  return (record) => {
    if (record.type === 'approval-requested') {
      const key = keys.get(record.request.id);
      return key === undefined ? record : { ...record, key };
    }
    if (record.type === 'approval-answered') {
      const key = keys.get(record.approvalId);
      if (key === undefined) return record;
      return { ...record, key, ...(typed.has(record.approvalId) ? { answer: currentTypedAnswer(record.answer) } : {}) };
    }
    return record;
  };
}
