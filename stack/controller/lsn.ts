/** PostgreSQL WAL positions (`16/B374D848`) as bigints, to compare standbys. */
export function parseLsn(lsn: string | null | undefined): bigint | null {
  if (!lsn) return null;
  const match = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
  if (!match?.[1] || !match[2]) return null;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** The most advanced of several WAL positions (null when none is known). */
export function maxLsn(...lsns: (bigint | null)[]): bigint | null {
  let best: bigint | null = null;
  for (const lsn of lsns) if (lsn !== null && (best === null || lsn > best)) best = lsn;
  return best;
}
