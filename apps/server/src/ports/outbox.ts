/**
 * The development outbox: what the fake SMS gateway and the local SMTP sink received, kept in
 * memory for the /dev/outbox page and for tests. Bounded, newest last.
 */
import { type Clock, systemClock } from './clock';

export interface OutboxMessage {
  id: number;
  channel: 'sms' | 'email';
  to: string;
  subject?: string;
  text: string;
  at: string;
}

export class Outbox {
  private readonly messages: OutboxMessage[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly capacity = 500,
  ) {}

  add(message: Omit<OutboxMessage, 'id' | 'at'>): OutboxMessage {
    const stored = { ...message, id: this.nextId++, at: this.clock.now().toISOString() };
    this.messages.push(stored);
    if (this.messages.length > this.capacity) this.messages.shift();
    for (const wake of this.waiters) wake();
    return stored;
  }

  list(channel?: OutboxMessage['channel']): OutboxMessage[] {
    return channel ? this.messages.filter((m) => m.channel === channel) : [...this.messages];
  }

  /** The newest message to an address, optionally waiting for it. */
  async latest(to: string, timeoutMs = 0): Promise<OutboxMessage | undefined> {
    const find = () => [...this.messages].reverse().find((m) => m.to === to);
    const found = find();
    if (found || timeoutMs <= 0) return found;
    return new Promise((resolve) => {
      const wake = () => {
        const m = find();
        if (m) done(m);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (m: OutboxMessage | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(m);
      };
      this.waiters.add(wake);
    });
  }
}
