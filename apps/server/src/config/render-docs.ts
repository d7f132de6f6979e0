/**
 * Prints docs/configuration.md from the variable table in schema.ts (`npm run docs:config`).
 * config.test.ts fails when the committed document differs from this output.
 */
import { VARIABLES } from './schema';

export function renderConfigurationDoc(): string {
  const rows = Object.entries(VARIABLES).map(([name, spec]) => {
    const d =
      'default' in spec
        ? `\`${spec.default}\``
        : 'secret' in spec && spec.secret && !spec.schema.safeParse(undefined).success
          ? '(secret: none in production; generated in development)'
          : 'secret' in spec && spec.secret
            ? '(unset; secret)'
            : '(unset)';
    return `| \`${name}\` | ${d} | ${spec.description.replaceAll('|', '\\|')} |`;
  });
  return [
    '# Configuration of the identity server',
    '',
    'Generated from `apps/server/src/config/schema.ts` by `npm run docs:config`; do not edit by hand.',
    'The server reads these variables once at start-up into a frozen object; a missing or malformed',
    'value stops start-up with a message naming the variable.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('render-docs.ts')) process.stdout.write(renderConfigurationDoc());
