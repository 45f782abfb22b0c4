/**
 * One proxy: its listener, its open connections and its toxics. Toxic changes are pushed to every
 * open connection at once. Disabling closes the listener and every connection.
 */
import net from 'node:net';
import { listenOn } from './address.js';
import { ProxyConnection, SOCKET_HIGH_WATER } from './connection.js';
import type { ToxicDefinition, ToxicJson } from './toxic-definition.js';
import type { BusyPoll } from './busy-poll.js';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export type Logger = (record: Record<string, unknown>) => void;

export class Proxy {
  enabled = false;
  /** Insertion order; the API lists upstream toxics first, then downstream ones. */
  private toxicList: ToxicDefinition[] = [];
  private server: net.Server | undefined;
  readonly connections = new Set<ProxyConnection>();

  constructor(
    readonly name: string,
    /** As given until started, then the address actually bound. */
    public listen: string,
    public upstream: string,
    private readonly log: Logger,
    private readonly busyPoll: BusyPoll | undefined,
  ) {}

  get toxics(): ToxicDefinition[] {
    return [
      ...this.toxicList.filter((toxic) => toxic.direction === 'upstream'),
      ...this.toxicList.filter((toxic) => toxic.direction === 'downstream'),
    ];
  }

  findToxic(name: string): ToxicDefinition | undefined {
    return this.toxicList.find((toxic) => toxic.name === name);
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    const server = net.createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: true,
      highWaterMark: SOCKET_HIGH_WATER,
    });
    server.on('connection', (socket) => this.accept(socket));
    const bound = await listenOn(this.listen, server);
    this.server = bound.server;
    this.listen = bound.address;
    this.enabled = true;
    this.log({ event: 'proxy_started', proxy: this.name, listen: this.listen, upstream: this.upstream });
  }

  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    this.log({ event: 'proxy_stopped', proxy: this.name, listen: this.listen });
  }

  private accept(socket: net.Socket): void {
    const client = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log({ event: 'client_connected', proxy: this.name, client, upstream: this.upstream });
    const connection = new ProxyConnection(
      socket,
      this.upstream,
      () => this.toxicList,
      {
        log: (record) => this.log({ proxy: this.name, client, ...record }),
        closed: (closed) => {
          this.connections.delete(closed);
          this.log({ event: 'client_disconnected', proxy: this.name, client });
        },
      },
      this.busyPoll,
    );
    this.connections.add(connection);
  }

  addToxic(toxic: ToxicDefinition): void {
    this.toxicList.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
  }

  updateToxic(toxic: ToxicDefinition): void {
    for (const connection of this.connections) connection.updateToxic(toxic);
  }

  removeToxic(toxic: ToxicDefinition): void {
    this.toxicList = this.toxicList.filter((candidate) => candidate !== toxic);
    for (const connection of this.connections) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxicList]) this.removeToxic(toxic);
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.map((toxic) => toxic.toJSON()),
    };
  }
}
