/**
 * A minimal browser for HTTP-level login tests: follows nothing by itself, keeps cookies (a
 * jar per browser, so two browsers do not share a session), and reads server-sent events.
 * Chromium end-to-end tests cover the real page; this drives the same endpoints quickly.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    this.keep(response);
    return response;
  }

  /** Follow redirects until a response is not a redirect or leaves `origin` (returns the URL). */
  async follow(
    url: string,
    origin: string,
    init: RequestInit = {},
  ): Promise<{ response: Response; url: string }> {
    let current = url;
    let response = await this.fetch(current, init);
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      const location = new URL(response.headers.get('location')!, current).toString();
      if (!location.startsWith(origin)) return { response, url: location };
      current = location;
      response = await this.fetch(current);
    }
    return { response, url: current };
  }

  async form(url: string, fields: Record<string, string>) {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Open an event stream; `next(name)` resolves with the data of the next event of that name. */
  async events(url: string) {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { cookie: this.cookieHeader(), accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body)
      throw new Error(`event stream refused: ${response.status} ${await response.text()}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const queue: { event: string; data: string }[] = [];
    const pump = async (deadline: number) => {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), left)),
      ]);
      if (chunk.done) throw new Error('event stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
        queue.push({ event, data });
        end = buffer.indexOf('\n\n');
      }
    };
    return {
      async next<T = Record<string, unknown>>(
        name: string,
        where: (data: T) => boolean = () => true,
        timeoutMs = 5000,
      ): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const index = queue.findIndex((e) => e.event === name && where(JSON.parse(e.data) as T));
          if (index >= 0) {
            const [found] = queue.splice(index, 1);
            return JSON.parse(found!.data) as T;
          }
          await pump(deadline);
        }
      },
      close: () => controller.abort(),
    };
  }
}
