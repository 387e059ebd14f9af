// The research notes the worker searches for the researcher.
import type { ToolDefinition } from '@handrail/core';

const notes: Record<string, string[]> = {
  'heat pumps': [
    'Air-source heat pumps deliver 3 to 4 units of heat per unit of electricity in mild weather.',
    'Installed costs for a house run from 8,000 to 15,000 EUR before subsidies.',
    'Several countries subsidise installation; in Germany the federal grant covers up to 70%.',
  ],
};

/** The tool: notes on a topic, one per line. */
export function searchNotes({ topic }: Record<string, unknown>): string {
  const found = notes[String(topic).toLowerCase()];
  return found ? found.map((note) => `- ${note}`).join('\n') : `No notes on ${String(topic)}.`;
}

export const searchNotesTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'search_notes',
    description: 'Search the research notes on a topic.',
    parameters: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
  },
};
