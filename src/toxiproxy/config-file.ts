/** Reading a `-config FILE` (a JSON array of proxies, like POST /populate) with actionable errors. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../contract/errors.js';
import { ApiError } from './api-error.js';
import { decodePopulate, type ProxyConfig } from './collection.js';

export async function loadProxyConfigFile(path: string): Promise<ProxyConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      'TOXIPROXY_CONFIG_UNREADABLE',
      `cannot read Toxiproxy config ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      'TOXIPROXY_CONFIG_INVALID',
      `Toxiproxy config ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
        details: [
          'Expected a JSON array like [{"name":"db","listen":"127.0.0.1:6432","upstream":"127.0.0.1:5432"}].',
        ],
      },
    );
  }
  try {
    return decodePopulate(parsed);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new InputError('TOXIPROXY_CONFIG_INVALID', `Toxiproxy config ${path}: ${error.message}`, {
      cause: error,
      details: ['Each entry needs "name" and "upstream"; "listen" (host:port) and "enabled" are optional.'],
    });
  }
}
