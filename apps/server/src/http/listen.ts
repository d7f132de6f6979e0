/**
 * Listening with an answer a person can act on: a port already taken (or not allowed) is one
 * line naming the variable to change, not a stack trace.
 */
import type { Server } from 'node:net';

export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export function explainListenError(error: unknown, address: string, variable: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new ListenError(
      `${address} is already in use (another CamDigiKey or another program?): stop it or set ${variable} to a free port`,
    );
  if (code === 'EACCES')
    return new ListenError(`${address} may not be used by this user: set ${variable} to a port above 1023`);
  if (code === 'EADDRNOTAVAIL')
    return new ListenError(`${address}: this machine has no such interface (check the host of ${variable})`);
  return error instanceof Error ? error : new Error(String(error));
}

/** listen() on a plain server; resolves with the bound port. */
export function listenOrExplain(
  server: Server,
  options: { host: string; port: number },
  variable: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: unknown) =>
      reject(explainListenError(error, `${options.host}:${options.port}`, variable));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
}
