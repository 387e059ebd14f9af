// The same conversations whichever evaluator decides: the fast one (default) and json-rules-engine.
import { afterEach, expect, test } from 'vitest';
import { closeServers, twoAgentChat } from './helpers.js';

afterEach(closeServers);

const cases = [
  { mode: 'TERMINATE', limit: 2, replies: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'], answers: ['', '', 'more', 'exit'] },
  { mode: 'NEVER', limit: 2, replies: ['a1', 'a2', 'a3', 'a4'], answers: [] },
  { mode: 'ALWAYS', limit: 0, replies: ['a1', 'TERMINATE'], answers: ['', ''] },
] as const;

test.each(cases)('$mode, limit $limit: the fast evaluator and json-rules-engine give the same run', async ({ mode, limit, replies, answers }) => {
  const fast = await twoAgentChat({ mode, limit, replies, answers });
  const reference = await twoAgentChat({ mode, limit, replies, answers, user: { decideOptions: { engine: 'reference' } } });
  expect(reference.io.transcript).toEqual(fast.io.transcript);
  const rules = (run: typeof fast) => run.result.events.flatMap((event) => (event.type === 'decision-made' ? [`${event.agent}:${event.decision.action}:${event.decision.rule}`] : []));
  expect(rules(reference)).toEqual(rules(fast));
});
