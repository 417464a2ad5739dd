import { Injectable, Logger } from '@nestjs/common';

/** What the app "sends" to a user. */
export type OutboxKind = 'two-factor-code' | 'email-verification-link' | 'security-alert';

/** One message the app sent to a user. */
export interface OutboxMessage {
  kind: OutboxKind;
  /** The recipient's email address. */
  to: string;
  /** The human-readable text (what the log shows). */
  text: string;
  /** The machine-readable part (the code, the link, the session it belongs to). */
  data: Record<string, string>;
  sentAt: Date;
}

/** How many messages are kept in memory. */
const CAPACITY = 200;

/**
 * Stands in for an email/SMS gateway: every message is written to the log (that is how a demo
 * user gets their 2FA code and verification link) and the last {@link CAPACITY} are kept in
 * memory, so tests read codes and links with `app.get(Outbox)` instead of parsing logs.
 * Swap it for a real gateway in a real app; nothing else knows how messages travel.
 */
@Injectable()
export class Outbox {
  private readonly logger = new Logger('Outbox');
  private readonly messages: OutboxMessage[] = [];

  send(message: Omit<OutboxMessage, 'sentAt'>): void {
    this.messages.push({ ...message, sentAt: new Date() });
    if (this.messages.length > CAPACITY) this.messages.shift();
    this.logger.log(`to ${message.to}: ${message.text}`);
  }

  /** The newest message of a kind to a recipient that matches `data` (e.g. `{ sessionHandle }`), if any. */
  latest(kind: OutboxKind, to: string, data: Record<string, string> = {}): OutboxMessage | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i];
      if (message.kind !== kind || message.to !== to) continue;
      if (Object.entries(data).every(([key, value]) => message.data[key] === value)) return message;
    }
    return undefined;
  }
}
