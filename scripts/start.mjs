// `npm start`: builds what is out of date (the server in about a second; a front-end only when
// its sources changed since its last build), then runs the compiled server IN THIS PROCESS, so
// the process npm started is the server: `kill -TERM` reaches it and nothing is left behind.
// Production does not need this script: `node apps/server/dist/main.mjs` (docs/operations.md).
import { buildAll } from './build.mjs';

try {
  await buildAll({ ifStale: true, quiet: true });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
await import('../apps/server/dist/main.mjs');
