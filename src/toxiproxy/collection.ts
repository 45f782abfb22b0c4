/**
 * The proxies of one server and the operations of the HTTP API on them, with Toxiproxy's checks in
 * Toxiproxy's order. Inputs are decoded JSON values; failures are ApiErrors.
 */
import { ApiError, apiErrors } from './api-error.js';
import { booleanField, numberField, objectFields, stringField } from './decode.js';
import { Proxy, type Logger, type ProxyJson } from './proxy.js';
import type { BusyPoll } from './busy-poll.js';
import {
  ToxicDefinition,
  isToxicType,
  mergeAttributes,
  parseDirection,
  type ToxicJson,
} from './toxic-definition.js';

/** A proxy as given to POST /populate or the `config` option. */
export interface ProxyConfig {
  name: string;
  listen?: string;
  upstream: string;
  enabled?: boolean;
}

export interface PopulateResult {
  proxies: ProxyJson[];
  error?: ApiError;
}

/** Decode and check a /populate body; messages name the 1-based index of the bad entry. */
export function decodePopulate(body: unknown): Required<ProxyConfig>[] {
  if (body === null) return [];
  if (!Array.isArray(body)) throw apiErrors.badBody('expected an array of proxies');
  const decoded = body.map((entry, index) => {
    const fields = objectFields(entry, `proxy ${index + 1}`);
    return {
      name: stringField(fields, 'name') ?? '',
      listen: stringField(fields, 'listen') ?? '',
      upstream: stringField(fields, 'upstream') ?? '',
      enabled: booleanField(fields, 'enabled') ?? true,
    };
  });
  decoded.forEach((proxy, index) => {
    if (proxy.name === '') throw apiErrors.missingField(`name at proxy ${index + 1}`);
    if (proxy.upstream === '') throw apiErrors.missingField(`upstream at proxy ${index + 1}`);
  });
  return decoded;
}

export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(
    private readonly log: Logger,
    /** Shared by every proxy's connections (one event loop); undefined = off. */
    private readonly busyPoll?: BusyPoll,
  ) {}

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw apiErrors.proxyNotFound();
    return proxy;
  }

  all(): Proxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  listJson(): Record<string, ProxyJson> {
    return Object.fromEntries(this.all().map((proxy) => [proxy.name, proxy.toJSON()]));
  }

  connectionCount(): number {
    let count = 0;
    for (const proxy of this.proxies.values()) count += proxy.connections.size;
    return count;
  }

  async create(body: unknown): Promise<ProxyJson> {
    const fields = objectFields(body, 'proxy');
    const name = stringField(fields, 'name') ?? '';
    const listen = stringField(fields, 'listen') ?? '';
    const upstream = stringField(fields, 'upstream') ?? '';
    const enabled = booleanField(fields, 'enabled') ?? true;
    if (name === '') throw apiErrors.missingField('name');
    if (upstream === '') throw apiErrors.missingField('upstream');
    if (this.proxies.has(name)) throw apiErrors.proxyExists();
    const proxy = new Proxy(name, listen, upstream, this.log, this.busyPoll);
    if (enabled) await proxy.start();
    this.proxies.set(name, proxy);
    this.log({ event: 'proxy_created', proxy: name, listen: proxy.listen, upstream, enabled });
    return proxy.toJSON();
  }

  async update(name: string, body: unknown): Promise<ProxyJson> {
    const proxy = this.get(name);
    const fields = objectFields(body, 'proxy');
    const listen = stringField(fields, 'listen') ?? proxy.listen;
    const upstream = stringField(fields, 'upstream') ?? proxy.upstream;
    const enabled = booleanField(fields, 'enabled') ?? proxy.enabled;
    if (listen !== proxy.listen || upstream !== proxy.upstream) {
      proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
    }
    if (enabled && !proxy.enabled) await proxy.start();
    if (!enabled && proxy.enabled) proxy.stop();
    this.log({ event: 'proxy_updated', proxy: name, listen: proxy.listen, upstream, enabled: proxy.enabled });
    return proxy.toJSON();
  }

  remove(name: string): void {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
    this.log({ event: 'proxy_deleted', proxy: name });
  }

  /** POST /populate: all entries are checked first; then each is kept, replaced or created in order. */
  async populate(body: unknown): Promise<PopulateResult> {
    const entries = decodePopulate(body);
    const proxies: ProxyJson[] = [];
    for (const entry of entries) {
      const existing = this.proxies.get(entry.name);
      if (existing && existing.listen === entry.listen && existing.upstream === entry.upstream) {
        proxies.push(existing.toJSON());
        continue;
      }
      existing?.stop();
      this.proxies.delete(entry.name);
      const proxy = new Proxy(entry.name, entry.listen, entry.upstream, this.log, this.busyPoll);
      try {
        if (entry.enabled) await proxy.start();
      } catch (error) {
        return { proxies, error: error instanceof ApiError ? error : new ApiError(500, String(error)) };
      }
      this.proxies.set(entry.name, proxy);
      this.log({ event: 'proxy_created', proxy: entry.name, listen: proxy.listen, upstream: entry.upstream });
      proxies.push(proxy.toJSON());
    }
    return { proxies };
  }

  /** POST /reset: enable every proxy and remove every toxic. */
  async reset(): Promise<void> {
    for (const proxy of this.all()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
    this.log({ event: 'reset' });
  }

  listToxics(proxyName: string): ToxicJson[] {
    return this.get(proxyName).toxics.map((toxic) => toxic.toJSON());
  }

  getToxic(proxyName: string, toxicName: string): ToxicJson {
    const toxic = this.get(proxyName).findToxic(toxicName);
    if (!toxic) throw apiErrors.toxicNotFound();
    return toxic.toJSON();
  }

  addToxic(proxyName: string, body: unknown): ToxicJson {
    const proxy = this.get(proxyName);
    const fields = objectFields(body, 'toxic');
    const stream = stringField(fields, 'stream') ?? 'downstream';
    const type = stringField(fields, 'type') ?? '';
    const toxicity = numberField(fields, 'toxicity') ?? 1;
    const direction = parseDirection(stream);
    const name = stringField(fields, 'name') || `${type}_${stream}`;
    if (!isToxicType(type)) throw apiErrors.invalidToxicType();
    if (proxy.findToxic(name)) throw apiErrors.toxicExists();
    const attributes = mergeAttributes(type, undefined, fields.get('attributes') ?? undefined);
    const toxic = new ToxicDefinition(name, type, stream, direction, toxicity, attributes);
    proxy.addToxic(toxic);
    this.log({ event: 'toxic_added', proxy: proxyName, ...toxic.toJSON() });
    return toxic.toJSON();
  }

  updateToxic(proxyName: string, toxicName: string, body: unknown): ToxicJson {
    const proxy = this.get(proxyName);
    const toxic = proxy.findToxic(toxicName);
    if (!toxic) throw apiErrors.toxicNotFound();
    const fields = objectFields(body, 'toxic');
    const attributes = mergeAttributes(toxic.type, toxic.attributes, fields.get('attributes') ?? undefined);
    const toxicity = numberField(fields, 'toxicity') ?? toxic.toxicity;
    toxic.attributes = attributes;
    toxic.toxicity = toxicity;
    proxy.updateToxic(toxic);
    this.log({ event: 'toxic_updated', proxy: proxyName, ...toxic.toJSON() });
    return toxic.toJSON();
  }

  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.get(proxyName);
    const toxic = proxy.findToxic(toxicName);
    if (!toxic) throw apiErrors.toxicNotFound();
    proxy.removeToxic(toxic);
    this.log({ event: 'toxic_removed', proxy: proxyName, toxic: toxicName });
  }

  closeAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
  }
}
