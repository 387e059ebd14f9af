// A worker of a parallel replay (see parallel.ts): loads the policies from their documents, then
// replays each part of the transcript it is sent and posts the part's report back.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPolicy } from '../compile/compile.js';
import type { PolicyDocument } from '../document.js';
import { replayer, type ReplayOptions } from './replay.js';

export interface WorkerSetup {
  policy: { document: PolicyDocument; file?: string };
  against?: { document: PolicyDocument; file?: string };
  options: Omit<ReplayOptions, 'against'>;
}

export interface PartRequest {
  id: number;
  firstLine: number;
  lines: string[];
}

const setup = workerData as WorkerSetup;
const load = ({ document, file }: { document: PolicyDocument; file?: string }) => loadPolicy(document, file !== undefined ? { file } : {});
const policy = load(setup.policy);
const options: ReplayOptions = { ...setup.options, ...(setup.against ? { against: load(setup.against) } : {}) };

parentPort!.on('message', ({ id, firstLine, lines }: PartRequest) => {
  const part = replayer(policy, options, { firstLine });
  for (const text of lines) part.line(text);
  parentPort!.postMessage({ id, report: part.report(), skippedOrder: part.skippedOrder });
});
parentPort!.postMessage('ready');
