/**
 * The stable sorting order of a run of numbers, without a comparator callback: positions 0..n-1 of
 * `values[from..to)` ordered by value, equal values by position. A natural merge sort: the
 * ascending runs already there are merged pairwise, so input that is almost in order (histories
 * arrive in time order) costs little more than one pass. Equal infinities tie; no NaN.
 */
export function sortOrder(values: Float64Array, from: number, to: number): Uint32Array {
  const n = to - from;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // where each ascending run starts, then n
  const starts: number[] = [0];
  for (let i = 1; i < n; i++) if (values[from + i]! < values[from + i - 1]!) starts.push(i);
  starts.push(n);
  if (starts.length <= 2) return order;
  let spare = new Uint32Array(n);
  let runs = starts;
  while (runs.length > 2) {
    const merged: number[] = [];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const left = runs[r]!;
      const middle = runs[r + 1]!;
      const right = r + 2 < runs.length ? runs[r + 2]! : middle;
      merged.push(left);
      let a = left;
      let b = middle;
      let out = left;
      while (a < middle && b < right) {
        // take from the right run only when strictly smaller: equal values keep their order
        if (values[from + order[b]!]! < values[from + order[a]!]!) spare[out++] = order[b++]!;
        else spare[out++] = order[a++]!;
      }
      while (a < middle) spare[out++] = order[a++]!;
      while (b < right) spare[out++] = order[b++]!;
    }
    merged.push(n);
    runs = merged;
    [order, spare] = [spare, order];
  }
  return order;
}
