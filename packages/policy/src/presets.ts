// The presets are ordinary policy files shipped in presets/; a mode line includes one.
import { readFileSync } from 'node:fs';

export const presetNames = ['always', 'never', 'terminate'] as const;
export type PresetName = (typeof presetNames)[number];

const presetsFolder = new URL('../presets/', import.meta.url);

export function presetSource(name: PresetName): { source: string; file: string } {
  const url = new URL(`${name}.policy`, presetsFolder);
  return { source: readFileSync(url, 'utf8'), file: `presets/${name}.policy` };
}
