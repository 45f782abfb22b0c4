/**
 * One long-lived connection from the controller to a region's database, reopened after any failure. Every
 * query has a client-side timeout (a partitioned link must not stall the heartbeat loop), and we know
 * whether a failed query was ever sent (only then could it have taken effect).
 */
import pg from 'pg';

export class QueryNotSentError extends Error {}

export class DbLink {
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;

  constructor(
    readonly region: string,
    readonly connectionString: string,
    private readonly timeoutMs: number,
  ) {}

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    this.#connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.connectionString,
        connectionTimeoutMillis: this.timeoutMs,
        query_timeout: this.timeoutMs,
        application_name: 'chaosbank-controller',
      });
      client.on('error', () => this.reset(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw new QueryNotSentError(`cannot connect to ${this.region}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      this.#client = client;
      return client;
    })().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  reset(client = this.#client): void {
    if (client && client === this.#client) this.#client = undefined;
    void client?.end().catch(() => undefined);
  }

  /** Run `text` (may hold several statements when it has no parameters). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    options: { timeoutMs?: number } = {},
  ): Promise<pg.QueryResult<R>> {
    const client = await this.#connect();
    try {
      // query_timeout per query is honoured by pg's Client (not in its typings)
      const config = { text, values, query_timeout: options.timeoutMs ?? this.timeoutMs } as pg.QueryConfig;
      return await client.query<R>(config);
    } catch (error) {
      // A timed-out or broken connection may be mid-protocol: never reuse it.
      if (!(error instanceof pg.DatabaseError)) this.reset(client);
      throw error;
    }
  }

  /** Run several statements in one round trip (simple protocol); returns every statement's result. */
  async multi(text: string, options: { timeoutMs?: number } = {}): Promise<pg.QueryResult[]> {
    const client = await this.#connect();
    try {
      const config = { text, query_timeout: options.timeoutMs ?? this.timeoutMs } as pg.QueryConfig;
      const result = (await client.query(config)) as unknown as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(result) ? result : [result];
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) this.reset(client);
      else await client.query('ROLLBACK').catch(() => this.reset(client));
      throw error;
    }
  }

  close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    return client ? client.end().catch(() => undefined) : Promise.resolve();
  }
}
