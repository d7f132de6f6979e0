#!/usr/bin/env node
// The test device as a command line (see packages/testkit/src/device-cli.ts); TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
const { runDeviceCli } = await import('../src/device-cli.ts');
const code = await runDeviceCli(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);
