/**
 * The browser builds the e2e journeys load from the server (the console at /console/, the app at
 * /app/): built first when never built or older than their sources, so a stale bundle never tests
 * old screens.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The newest modification time of a Vite app's sources (src/, public/, index.html, vite.config.ts). */
function newestSource(app: string): number {
  const walk = (dir: string): number[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
          entry.isDirectory() ? walk(join(dir, entry.name)) : [statSync(join(dir, entry.name)).mtimeMs],
        )
      : [];
  return Math.max(
    ...walk(join(app, 'src')),
    ...walk(join(app, 'public')),
    ...['index.html', 'vite.config.ts'].map((f) => statSync(join(app, f)).mtimeMs),
  );
}

/** Builds the workspace whose Vite output is `dist` when it is missing or stale. */
export function ensureBuilt(dist: string, workspace: string): void {
  const index = join(dist, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newestSource(dirname(dist))) {
    execFileSync('npm', ['run', 'build', '-w', workspace], { stdio: 'inherit' });
  }
}
