// A channel that could not put its question to anyone (the target refused it, the network
// failed): a runtime error, apart from misconfiguration.
import { HandrailError } from '@handrail/policy';

/**
 * Raised when a channel cannot deliver a question. A ladder moves on to its next rung; an agent
 * asking directly fails its run with it (nobody was asked, so nothing goes on silently).
 *
 * @example
 * try { await channel.ask(request, { signal }) }
 * catch (error) { if (ChannelError.isInstance(error)) console.error(error.channel, error.message) }
 */
export class ChannelError extends HandrailError {
  readonly channel: string;
  /** The HTTP status the target answered with, when it answered. */
  readonly status: number | undefined;

  constructor(channel: string, message: string, options: { cause?: unknown; status?: number } = {}) {
    super('CHANNEL_FAILED', `channel ${channel}: ${message}`, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.channel = channel;
    this.status = options.status;
  }

  static override isInstance(value: unknown): value is ChannelError {
    return HandrailError.isInstance(value) && (value as { code?: string }).code === 'CHANNEL_FAILED';
  }
}
