import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse';

describe('the event stream parser', () => {
  it('reads events split across chunks, skips comments, joins data lines', () => {
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push('id: 1\nevent: status\nda');
    parser.push('ta: {"status":"pending_review"}\n\n: keep-alive\n\n');
    parser.push('event: approval\r\ndata: a\r\ndata: b\r\n\r\n');
    parser.push('data: plain\n\nevent: empty\n\n');
    expect(events).toEqual([
      { event: 'status', data: '{"status":"pending_review"}', id: '1' },
      { event: 'approval', data: 'a\nb' },
      { event: 'message', data: 'plain' },
    ]);
  });
});
