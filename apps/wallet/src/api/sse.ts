/**
 * A parser of server-sent events (the subset the server writes: `event:`, `data:`, `id:` lines,
 * comments, events ended by a blank line). The browser's EventSource cannot send the
 * `Device-Proof` header, so the app reads the stream with fetch and parses it here.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export function createSseParser(onEvent: (event: SseEvent) => void) {
  let buffer = '';
  const flush = (block: string) => {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length > 0) onEvent({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
  };
  return {
    push(chunk: string) {
      buffer += chunk.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        flush(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    },
  };
}
