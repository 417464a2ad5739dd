import { encodeFeedMessage } from '../feed-event';
import type { FeedTransport, FeedTransportHandlers } from './feed-transport';

/**
 * One process, nothing to coordinate (SQLite apps, a single instance): events go straight to this
 * instance's sets. No log and no connection, so never a gap.
 */
export class InProcessFeedTransport implements FeedTransport {
  private handlers?: FeedTransportHandlers;
  private seq = 0;

  async start(handlers: FeedTransportHandlers): Promise<void> {
    this.handlers = handlers;
    handlers.up();
  }

  async publish(body: string): Promise<number> {
    const seq = ++this.seq;
    this.handlers?.message(encodeFeedMessage(seq, body));
    return seq;
  }

  async close(): Promise<void> {
    this.handlers = undefined;
  }
}
