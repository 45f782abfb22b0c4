/**
 * The reused buffer a proxied socket reads into (net's `onread`), instead of a new 64 KiB buffer per
 * read. It starts small, so that many quiet connections cost little memory, and doubles each time a
 * read fills it (a bulk transfer) up to MAX_READ_BUFFER: bigger reads mean fewer system calls per
 * byte. The owner must not let the socket read again while a chunk of the buffer is still in use.
 */
export const INITIAL_READ_BUFFER = 16 * 1024;
export const MAX_READ_BUFFER = 1024 * 1024;

export class GrowingReadBuffer {
  private buffer = Buffer.allocUnsafe(INITIAL_READ_BUFFER);
  private lastReadFilled = false;

  /** `onread.buffer`: Node asks for the buffer of the next read after each read. */
  readonly next = (): Buffer => {
    if (this.lastReadFilled && this.buffer.length < MAX_READ_BUFFER) {
      this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
    }
    this.lastReadFilled = false;
    return this.buffer;
  };

  /** Record a read of `bytes` into the current buffer; returns those bytes (valid until the next read). */
  read(bytes: number): Buffer {
    this.lastReadFilled = bytes === this.buffer.length;
    return this.buffer.subarray(0, bytes);
  }
}
