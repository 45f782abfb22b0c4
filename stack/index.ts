/**
 * The reference stack as a driver starts it: the PostgreSQL tier (bootstrap a streaming cluster, start
 * a server, hand directories to the postgres OS user), the ledger schema and its template key. Drivers
 * import the stack through this file only; the components themselves run as programs
 * (`dist/stack/{api,router,controller}/main.js`).
 */
export {
  bootstrapCluster,
  connString,
  ensureTraversable,
  giveToPostgres,
  replicationConninfo,
  startPostgres,
  type Address,
  type PostgresProcess,
  type TemplateCache,
} from './postgres/index.js';
export { applyLedgerSchema, ledgerSchemaKey } from './db/ledger-schema.js';
