/**
 * The operator's commands in a release, where there is no tsx:
 *   node apps/server/dist/cli.mjs migrate [up|down|redo]   (= npm run migrate)
 *   node apps/server/dist/cli.mjs audit-verify [checkpoint-dir]   (= npm run audit:verify)
 *   node apps/server/dist/cli.mjs secrets                  (= npm run secrets)
 *   node apps/server/dist/cli.mjs pii seal|restore|down     (= npm run pii)
 *   node apps/server/dist/cli.mjs keys rewrap [--check] | rotate-signing   (= npm run keys)
 * Each reads the same environment as the server (DATABASE_URL or DATA_DIR; AUDIT_KEYS; DATA_KEKS,
 * BLIND_INDEX_KEY).
 */
const [command, ...rest] = process.argv.slice(2);
// The sub-commands read their own arguments from argv[2…].
process.argv.splice(2, process.argv.length - 2, ...rest);

if (command === 'migrate') await import('@camdigikey/db/cli');
else if (command === 'audit-verify') await import('./audit-verify');
else if (command === 'pii') await import('./personal-data');
else if (command === 'keys') await import('./keys');
else if (command === 'secrets') {
  const { productionSecrets } = await import('./secrets');
  process.stdout.write(productionSecrets());
} else {
  console.error(
    'usage: node apps/server/dist/cli.mjs migrate [up|down|redo] | audit-verify [checkpoint-dir] | secrets | pii seal|restore|down | keys rewrap [--check] | keys rotate-signing',
  );
  process.exitCode = 2;
}
