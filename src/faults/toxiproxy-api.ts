/**
 * The few Toxiproxy operations faults need, over toxiproxy-node-client (the same code path for the
 * embedded server and a real Toxiproxy). Operations are idempotent, and every failure becomes an
 * EnvironmentError naming the API URL and what failed.
 */
import { Pool } from 'undici';
import { Toxiproxy } from 'toxiproxy-node-client';
import { EnvironmentError } from '../contract/errors.js';
import type { ToxicSpec } from './plan.js';

export interface ProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Array<{ name: string; type: string; stream: string; toxicity: number; attributes: unknown }>;
}

/** The HTTP status of a toxiproxy-node-client error (it throws without reading the body). */
function httpStatus(error: unknown): number | null {
  const match = /status code (\d{3})/.exec(error instanceof Error ? error.message : '');
  return match ? Number(match[1]) : null;
}

/** Keep-alive connections to the API, enough for every link of a region outage at once. */
const API_CONNECTIONS = 32;

export class ToxiproxyApi {
  readonly url: string;
  private readonly client: Toxiproxy;
  /**
   * The timed calls (a fault's changes, the read before them) go over kept-alive connections: a
   * fetch per call (toxiproxy-node-client) cost tens of ms each on a busy machine, at the instant.
   */
  private readonly pool: Pool;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
    this.client = new Toxiproxy(this.url);
    this.pool = new Pool(new URL(this.url).origin, {
      connections: API_CONNECTIONS,
      keepAliveTimeout: 30_000,
    });
  }

  async listProxies(): Promise<Record<string, ProxyState>> {
    return this.call(
      'list proxies',
      async () => JSON.parse(await this.send('GET', '/proxies')) as Record<string, ProxyState>,
    );
  }

  /** Open `count` connections ahead of a fault's changes (reads of the API version). */
  async warm(count: number): Promise<void> {
    await this.call('connect', async () => {
      const connections = Math.min(count, API_CONNECTIONS);
      await Promise.all(Array.from({ length: connections }, () => this.send('GET', '/version')));
    });
  }

  /** The proxy, or null when the server has no proxy of that name. */
  async findProxy(name: string): Promise<ProxyState | null> {
    return this.call(`read proxy ${name}`, async () => {
      try {
        return (await this.client.getApi().get<ProxyState>(`${this.url}/proxies/${name}`)).data;
      } catch (error) {
        if (httpStatus(error) === 404) return null;
        throw error;
      }
    });
  }

  async getProxy(name: string): Promise<ProxyState> {
    const proxy = await this.findProxy(name);
    if (proxy === null) throw this.proxyNotFound(name);
    return proxy;
  }

  /** Enable or disable a proxy; a no-op when it already is. Returns false when the proxy does not exist. */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    const proxy = await this.findProxy(name);
    if (proxy === null) return false;
    await this.setProxyEnabled(proxy, enabled);
    return true;
  }

  /** Enable or disable a proxy whose state was just read; a no-op when it already is. */
  async setProxyEnabled(proxy: ProxyState, enabled: boolean): Promise<void> {
    if (proxy.enabled !== enabled) await this.writeEnabled(proxy, enabled);
  }

  /** Enable or disable a proxy read earlier, whatever its state now (the server makes it a no-op). */
  async writeEnabled(proxy: ProxyState, enabled: boolean): Promise<void> {
    await this.call(
      `${enabled ? 'enable' : 'disable'} proxy ${proxy.name}`,
      async () => {
        // listen and upstream are sent back unchanged, so the proxy is not restarted.
        await this.send('POST', `/proxies/${encodeURIComponent(proxy.name)}`, {
          enabled,
          listen: proxy.listen,
          upstream: proxy.upstream,
        });
      },
      proxy.name,
    );
  }

  /**
   * Add a toxic; a toxic of the same name already there counts as added (re-applying is a no-op).
   * One request (POST /proxies/{proxy}/toxics), not a read of the proxy first: faults are timed.
   */
  async addToxic(proxy: string, toxic: ToxicSpec): Promise<void> {
    const what = `add toxic ${toxic.name} to proxy ${proxy}`;
    await this.call(
      what,
      async () => {
        try {
          await this.send('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
        } catch (error) {
          if (httpStatus(error) !== 409) throw error;
        }
      },
      proxy,
    );
  }

  /** Remove a toxic; an absent toxic or proxy counts as removed. */
  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.call(`remove toxic ${toxic} from proxy ${proxy}`, async () => {
      try {
        await this.client.getApi().delete(`${this.url}/proxies/${proxy}/toxics/${toxic}`);
      } catch (error) {
        if (httpStatus(error) !== 404) throw error;
      }
    });
  }

  proxyNotFound(name: string): EnvironmentError {
    return new EnvironmentError(
      'TOXIPROXY_PROXY_NOT_FOUND',
      `Toxiproxy at ${this.url} has no proxy named \`${name}\``,
      {
        details: [
          'Is this the Toxiproxy of the running stack? Every topology link needs a proxy of the same name.',
        ],
      },
    );
  }

  /** One request on the pool; the body text, or an error carrying `status code NNN` like the client's. */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
    const response = await this.pool.request({
      method,
      path,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400)
      throw new Error(`Request failed with status code ${response.statusCode}: ${text.slice(0, 200)}`);
    return text;
  }

  /** Run one API call; `proxy` names the proxy whose absence a 404 means. */
  private async call<T>(what: string, fn: () => Promise<T>, proxy?: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof EnvironmentError) throw error;
      const status = httpStatus(error);
      if (status === 404 && proxy !== undefined) throw this.proxyNotFound(proxy);
      const reason =
        status === null
          ? `the API is unreachable (${error instanceof Error ? error.message : String(error)})`
          : `HTTP ${status}`;
      throw new EnvironmentError(
        status === null ? 'TOXIPROXY_UNREACHABLE' : 'TOXIPROXY_REQUEST_FAILED',
        `Toxiproxy at ${this.url}: could not ${what}: ${reason}`,
        { cause: error },
      );
    }
  }
}
