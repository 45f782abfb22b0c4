/** The reference stack's PostgreSQL tier: binaries, servers, standbys, cluster bootstrap. */
export { postgresBinaries, type PostgresBinaries } from './binaries.js';
export {
  postgresOsUser,
  ensureTraversable,
  giveToPostgres,
  POSTGRES_OS_USER,
  type OsUser,
} from './os-user.js';
export { connString, replicationConninfo, withClient, DB_USER, DB_NAME, type Address } from './conn.js';
export {
  clusterSettings,
  synchronousStandbyNames,
  writeAutoConf,
  readAutoConf,
  LOOPBACK_NETWORKS,
} from './config.js';
export { initPrimary, prepareDataDir, type InitPrimaryOptions } from './init.js';
export {
  startPostgres,
  stopPostgres,
  stopPostgresInDataDir,
  postmasterPid,
  type PostgresProcess,
  type StartOptions,
  type StopMode,
} from './process.js';
export { configureStandby, seedStandby, type StandbyConfig, type SeedStandbyOptions } from './standby.js';
export { copyDataDir, copyDataDirFast } from './copy.js';
export { applyControlSchema, insertControlRow, readControlSql } from './control-schema.js';
export {
  findTemplate,
  saveTemplate,
  templateKey,
  templateDataDir,
  postgresVersion,
  type TemplateCache,
} from './template.js';
export {
  bootstrapCluster,
  waitForStreaming,
  type BootstrapOptions,
  type Cluster,
  type ClusterNode,
} from './bootstrap.js';
export { waitFor, type WaitOptions } from './wait.js';
