/**
 * One Toxiproxy proxy per topology link (proxy name = link name), created through the Toxiproxy HTTP
 * API with toxiproxy-node-client — the same code path whether the embedded server or a real Toxiproxy
 * owns them. A proxy listens on the loopback address of the region it leads *into* (port 0: the server
 * binds and reports the real port), so connecting to eu-west's database means connecting to eu-west's address.
 */
import { Toxiproxy } from 'toxiproxy-node-client';
import { EnvironmentError } from '../../src/contract/errors.js';
import type { Link } from '../../src/contract/topology.js';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string): HostPort {
  const i = value.lastIndexOf(':');
  const host = value.slice(0, i).replace(/^\[|\]$/g, '');
  return {
    host: host === '' || host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host,
    port: Number(value.slice(i + 1)),
  };
}

export const formatHostPort = (a: HostPort): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;

export class ProxyTable {
  private readonly client: Toxiproxy;
  private readonly bound = new Map<string, HostPort>();

  constructor(readonly apiUrl: string) {
    this.client = new Toxiproxy(apiUrl);
  }

  /** Create (or replace) proxies for `links`, each to its upstream; returns link name -> bound address. */
  async create(
    entries: { link: Link; listenHost: string; upstream: HostPort }[],
  ): Promise<Map<string, HostPort>> {
    if (entries.length === 0) return new Map();
    let proxies;
    try {
      proxies = await this.client.populate(
        entries.map((e) => ({
          name: e.link.name,
          listen: `${formatHostPort({ host: e.listenHost, port: 0 })}`,
          upstream: formatHostPort(e.upstream),
          enabled: true,
        })),
      );
    } catch (cause) {
      throw new EnvironmentError(
        'TOXIPROXY_PROXY',
        `cannot create proxies on the Toxiproxy at ${this.apiUrl}`,
        {
          cause,
          details: [`proxies: ${entries.map((e) => e.link.name).join(', ')}`, describe(cause)],
        },
      );
    }
    const result = new Map<string, HostPort>();
    for (const e of entries) {
      const proxy = proxies[e.link.name];
      if (!proxy)
        throw new EnvironmentError('TOXIPROXY_PROXY', `Toxiproxy did not return proxy ${e.link.name}`);
      const address = parseHostPort(proxy.listen);
      if (!(address.port > 0))
        throw new EnvironmentError(
          'TOXIPROXY_PROXY',
          `proxy ${e.link.name} reports no bound port (${proxy.listen})`,
        );
      this.bound.set(e.link.name, address);
      result.set(e.link.name, address);
    }
    return result;
  }

  address(linkName: string): HostPort {
    const address = this.bound.get(linkName);
    if (!address) throw new Error(`no proxy for link ${linkName}`);
    return address;
  }

  all(): Map<string, HostPort> {
    return new Map(this.bound);
  }

  /** Remove every proxy we created (needed on a real, shared Toxiproxy; the embedded one just closes). */
  async removeAll(): Promise<void> {
    const names = [...this.bound.keys()];
    const all = await this.client.getAll();
    await Promise.all(
      names.map(async (n) => {
        await all[n]?.remove();
      }),
    );
    this.bound.clear();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
