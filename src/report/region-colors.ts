/**
 * Colours of named series (regions, scenarios) that stay the same from one report to the next: a name's
 * colour comes from a hash of the name, not from its position in whatever set a report happens to show,
 * so us-east has the same colour in a run report, a drill report and a comparison.
 */
export const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#d97706',
  '#9333ea',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
];

/** FNV-1a of the name: small, stable across Node versions and platforms. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The colour of one name, whatever else is drawn beside it. */
export function nameColor(name: string): string {
  return PALETTE[hash(name) % PALETTE.length]!;
}

/**
 * Colours for a set of names: each its own `nameColor` unless an earlier name (in sorted order) took it,
 * then the next free colour; distinct while there are no more names than colours.
 */
export function nameColors(names: Iterable<string>): Map<string, string> {
  const colors = new Map<string, string>();
  const used = new Set<number>();
  for (const name of [...new Set(names)].sort()) {
    let slot = hash(name) % PALETTE.length;
    for (let tries = 0; used.has(slot) && tries < PALETTE.length; tries++) slot = (slot + 1) % PALETTE.length;
    used.add(slot);
    colors.set(name, PALETTE[slot]!);
  }
  return colors;
}
