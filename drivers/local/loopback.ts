/**
 * Each region gets its own loopback address (region i -> 127.0.<i+1>.1; the global control plane stays
 * on 127.0.0.1), so regions differ by address, not only by port. Linux routes all of 127/8 to `lo`;
 * other platforms (macOS) do not, so we test-bind each address and fall back to 127.0.0.1 with a note.
 */
import net from 'node:net';

export const GLOBAL_HOST = '127.0.0.1';

export interface AddressPlan {
  global: string;
  regions: Record<string, string>;
  notes: string[];
}

/** Bind `port` on `host` (0: the OS chooses) and return the port bound, then release it. */
export function probeBind(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no address')),
      );
    });
  });
}

/** Whether `port` on `host` can be bound right now. */
export async function tryBind(host: string, port: number): Promise<boolean> {
  try {
    await probeBind(host, port);
    return true;
  } catch {
    return false;
  }
}

export const canBind = (host: string): Promise<boolean> => tryBind(host, 0);

export const regionHost = (index: number): string => `127.0.${index + 1}.1`;

export async function planAddresses(regions: string[]): Promise<AddressPlan> {
  const plan: AddressPlan = { global: GLOBAL_HOST, regions: {}, notes: [] };
  const fallback: string[] = [];
  for (const [i, region] of regions.entries()) {
    const host = regionHost(i);
    if (await canBind(host)) plan.regions[region] = host;
    else {
      plan.regions[region] = GLOBAL_HOST;
      fallback.push(`${region} (${host})`);
    }
  }
  if (fallback.length > 0)
    plan.notes.push(
      `cannot bind ${fallback.join(', ')}: this platform does not route all of 127/8 to loopback; ` +
        `those regions share ${GLOBAL_HOST} and differ by port only`,
    );
  return plan;
}
