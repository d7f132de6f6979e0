/**
 * Counts the SQL statements a test server runs (a Kysely plugin: startTestServer's
 * `databasePlugins`), apart from those of background jobs, while `counting` is on. BEGIN and
 * COMMIT are not statements Kysely builds and are not counted: a transaction is counted as the
 * statements inside it.
 */
import { workContext } from '@camdigikey/server/observability/context';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

export class StatementCounter implements KyselyPlugin {
  private on = false;
  /** The statements counted, by kind (select, insert, update, delete, raw). */
  readonly statements: string[] = [];

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.on && !workContext.getStore()?.jobId) this.statements.push(args.node.kind);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** Counts the statements `work` makes the server run. */
  async count(work: () => Promise<unknown>): Promise<number> {
    this.statements.length = 0;
    this.on = true;
    try {
      await work();
    } finally {
      this.on = false;
    }
    return this.statements.length;
  }
}
