/**
 * One accepted client connection: dials the upstream, then forwards both directions through a Link
 * each. EOF on either side (after its toxics) closes the whole connection.
 */
import net, { type Socket } from 'node:net';
import type { ToxicDefinition } from './toxic-definition.js';
import { Link, type LinkOwner } from './link.js';
import { splitHostPort } from './address.js';
import { GrowingReadBuffer } from './read-buffer.js';
import type { BusyPoll } from './busy-poll.js';

/** A gracefully closing socket that never finishes flushing (slow reader) is destroyed after this. */
const CLOSE_GRACE_MS = 5_000;

/** Bigger socket buffers than the 16 KiB default: fewer pause/resume cycles on bulk transfers. */
export const SOCKET_HIGH_WATER = 1024 * 1024;

export interface ConnectionEvents {
  log(record: Record<string, unknown>): void;
  closed(connection: ProxyConnection): void;
}

export class ProxyConnection implements LinkOwner {
  private upstream: Socket | undefined;
  private links: Link[] = [];
  /** links[1], kept apart for the upstream socket's read callback. */
  private downstream: Link | undefined;
  private closing = false;
  private openSockets: number;
  /** reset_peer sends a real RST only when the toxic existed when the connection was accepted. */
  private readonly toxicsAtAccept: Set<string>;

  constructor(
    private readonly client: Socket,
    upstreamAddress: string,
    private toxics: () => readonly ToxicDefinition[],
    private readonly events: ConnectionEvents,
    private readonly busyPoll: BusyPoll | undefined,
  ) {
    this.toxicsAtAccept = new Set(toxics().map((toxic) => toxic.name));
    this.openSockets = 1;
    client.setNoDelay(true);
    client.on('error', this.onSocketError);
    client.once('close', this.onSocketClose);
    const target = splitHostPort(upstreamAddress);
    if (!target.ok || target.port === 0) {
      events.log({
        event: 'upstream_dial_failed',
        upstream: upstreamAddress,
        error: 'invalid upstream address',
      });
      this.destroy();
      return;
    }
    this.openSockets = 2;
    // The upstream socket reads into one reused buffer (Node offers `onread` only on sockets it
    // dials, not on accepted ones): no allocation per read, and fewer, bigger reads on bulk
    // responses. The downstream link keeps it from reading again while a chunk is in use.
    const reads = new GrowingReadBuffer();
    const upstream = net.connect({
      host: target.host || 'localhost',
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
      onread: {
        buffer: reads.next,
        callback: (bytes) => {
          this.downstream?.receiveBorrowed(reads.read(bytes));
          return true;
        },
      },
      // net.Socket passes this to its Duplex streams; @types/node only declares it on servers.
      ...{ highWaterMark: SOCKET_HIGH_WATER },
    });
    this.upstream = upstream;
    upstream.on('error', (error) => {
      if (this.links.length === 0) {
        events.log({ event: 'upstream_dial_failed', upstream: upstreamAddress, error: error.message });
      }
      this.destroy();
    });
    upstream.once('close', this.onSocketClose);
    upstream.once('connect', () => this.connected(upstream));
  }

  private readonly onSocketError = (): void => {
    this.destroy();
  };

  private readonly onSocketClose = (): void => {
    this.openSockets -= 1;
    if (this.openSockets === 0) {
      this.disposeLinks();
      this.events.closed(this);
    } else if (!this.closing) {
      this.destroy();
    }
    // When closing, the other socket may still be flushing data to a slow reader: it closes once
    // flushed (or after CLOSE_GRACE_MS); destroying it now would silently truncate the stream.
  };

  private connected(upstream: Socket): void {
    if (this.closing) return;
    const busyPoll = this.busyPoll;
    this.downstream = new Link('downstream', upstream, this.client, this, {
      readsIntoReusedBuffer: true,
      busyPoll,
    });
    this.links = [new Link('upstream', this.client, upstream, this, { busyPoll }), this.downstream];
    for (const toxic of this.toxics()) this.linkFor(toxic)?.addToxic(toxic);
    this.client.resume();
  }

  private linkFor(toxic: ToxicDefinition): Link | undefined {
    return this.links.find((link) => link.direction === toxic.direction);
  }

  addToxic(toxic: ToxicDefinition): void {
    this.linkFor(toxic)?.addToxic(toxic);
  }

  updateToxic(toxic: ToxicDefinition): void {
    this.linkFor(toxic)?.updateToxic(toxic);
  }

  removeToxic(toxic: ToxicDefinition): void {
    this.linkFor(toxic)?.removeToxic(toxic);
  }

  linkEnded(_link: Link): void {
    this.close();
  }

  private sockets(): Socket[] {
    return this.upstream ? [this.client, this.upstream] : [this.client];
  }

  private disposeLinks(): void {
    for (const link of this.links) link.dispose();
  }

  failed(error: unknown): void {
    this.events.log({
      event: 'connection_failed',
      error: error instanceof Error ? error.message : String(error),
    });
    this.destroy();
  }

  /** Close both sides, flushing what was already written. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.disposeLinks();
    for (const socket of this.sockets()) {
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      socket.once('close', () => clearTimeout(timer));
      socket.end(() => socket.destroy());
    }
  }

  /** Close both sides at once (proxy disabled, removed or restarted). */
  destroy(): void {
    this.closing = true;
    this.disposeLinks();
    for (const socket of this.sockets()) socket.destroy();
  }

  /** reset_peer: RST both sides if the toxic was there at accept time, else a plain close. */
  reset(): void {
    const withRst = this.toxics().some(
      (toxic) => toxic.type === 'reset_peer' && this.toxicsAtAccept.has(toxic.name),
    );
    if (!withRst) return this.close();
    this.closing = true;
    this.disposeLinks();
    for (const socket of this.sockets()) {
      if (socket.destroyed) continue;
      socket.resetAndDestroy();
    }
  }
}
