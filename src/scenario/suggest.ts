/** "Did you mean ...?" suggestions for misspelt keys, metric names and enum values. */

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Units spelt out (`mttr_seconds`), as the metric names abbreviate them (`mttr_s`). */
const UNIT_WORDS: Record<string, string> = {
  seconds: 's',
  second: 's',
  secs: 's',
  sec: 's',
  milliseconds: 'ms',
  millisecond: 'ms',
  millis: 'ms',
  msecs: 'ms',
  msec: 'ms',
};

/** Lower case, without `_`/`-`, units abbreviated: the form names are compared in. */
function normalName(name: string): string {
  return name
    .toLowerCase()
    .split(/[_-]/)
    .map((word) => UNIT_WORDS[word] ?? word)
    .join('');
}

/** The candidate closest to `input`, or undefined when none is plausibly what was meant. */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalName(input);
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const normal = normalName(name);
    const distance = normal === wanted ? 0 : editDistance(wanted, normal);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const allowed =
    input.length <= 4 ? 1 : Math.max(2, Math.floor(Math.max(input.length, best.name.length) / 3));
  if (best.distance <= allowed) return best.name;
  // An abbreviation: `dupes` for `duplicates`.
  if (wanted.length < 3) return undefined;
  return candidates.find(
    (name) =>
      name.toLowerCase().replaceAll(/[_-]/g, '').startsWith(wanted.slice(0, 3)) && name.length > input.length,
  );
}

/** ` (did you mean `x`?)` or an empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closestName(input, candidates);
  return match === undefined ? '' : ` (did you mean \`${match}\`?)`;
}
