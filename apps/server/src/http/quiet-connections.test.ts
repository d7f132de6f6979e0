import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeQuietConnections } from './quiet-connections';

async function server(handler?: () => Promise<string>) {
  const fastify = Fastify();
  closeQuietConnections(fastify);
  fastify.get('/slow', async () => (handler ? handler() : 'ok'));
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  const address = fastify.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { fastify, port: address.port };
}

const opened = async (port: number): Promise<Socket> => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
};

describe('closing with connections that carry no request', () => {
  it('ends a connection that never sent a request, so close does not wait for the headers timeout', async () => {
    const { fastify, port } = await server();
    const silent = await opened(port);
    const ended = once(silent, 'close');
    await fastify.close(); // without the fix this waits ~70 s, far past this test's timeout
    await ended;
    expect(silent.destroyed).toBe(true);
  });

  it('lets a request in flight finish and sends its answer, then ends the connection', async () => {
    let release: (value: string) => void = () => {};
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { fastify, port } = await server(
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
          started();
        }),
    );
    const socket = await opened(port);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    const ended = once(socket, 'close');
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await handlerStarted;
    const closed = fastify.close();
    release('finished');
    await closed;
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('finished');
  });
});
