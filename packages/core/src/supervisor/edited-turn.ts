// An approver's edit as the turn the policy decides again: the edited call's arguments replaced,
// in the form the step gave them (text stays text, as a model's tool call arguments are).
import type { Turn } from '@handrail/policy';
import type { ApprovalAnswer, ApprovalTool } from '../channels/approval.js';

type Edit = Extract<ApprovalAnswer, { kind: 'edit' }>;

/**
 * The edited turn and the index of the call the edit changes: the one its `callId` names among
 * `tools` (the calls as the person saw them), else the first. Undefined when the edit names a
 * call the step does not have: such an edit changes nothing anyone can run.
 */
export function editedTurn(turn: Turn, edit: Edit, tools: readonly ApprovalTool[] | undefined): { turn: Turn; index: number } | undefined {
  const calls = turn.tool ? [turn.tool] : (turn.toolCalls ?? []);
  const index = edit.callId === undefined ? 0 : (tools ?? []).findIndex((tool) => tool.callId === edit.callId);
  const call = calls[index];
  if (index < 0 || !call) return undefined;
  const args = typeof call.args === 'string' && typeof edit.args !== 'string' ? JSON.stringify(edit.args) : edit.args;
  if (turn.tool) return { turn: { ...turn, tool: { name: call.name, args } }, index };
  return { turn: { ...turn, toolCalls: calls.map((item, at) => (at === index ? { ...item, args } : item)) }, index };
}
