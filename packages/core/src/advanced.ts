// @handrail/core/advanced — building blocks for writing a channel, an io or a runtime of one's
// own. Not needed to use Handrail: agents, channels, durable runs and the supervisor are in
// @handrail/core. These may change between minor versions.
export { formatReceivedMessage, separator } from './agents/print-message.js';
export { PendingApprovals } from './channels/pending-approvals.js';
export { ReplayGuard } from './channels/replay-guard.js';
export { EventEmitter } from './events.js';
export { selectSpeaker } from './group/select-speaker.js';
export type { SelectorHost } from './group/select-speaker.js';
