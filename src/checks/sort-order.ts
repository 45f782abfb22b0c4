/**
 * The stable sorting order of a run of numbers, without a comparator callback: positions 0..n-1 of
 * `values[from..to)` ordered by value, equal values by position. A run already in order (the common
 * case: histories arrive in time order) costs one pass; otherwise a bottom-up merge sort.
 * Equal infinities tie; the values must not be NaN.
 */
export function sortOrder(values: Float64Array, from: number, to: number): Uint32Array {
  const n = to - from;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let sorted = true;
  for (let i = from + 1; i < to; i++) {
    if (values[i]! < values[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return order;
  let spare = new Uint32Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let left = 0; left < n; left += 2 * width) {
      const middle = Math.min(left + width, n);
      const right = Math.min(left + 2 * width, n);
      let a = left;
      let b = middle;
      let out = left;
      while (a < middle && b < right) {
        // take from the right half only when strictly smaller: equal values keep their order
        if (values[from + order[b]!]! < values[from + order[a]!]!) spare[out++] = order[b++]!;
        else spare[out++] = order[a++]!;
      }
      while (a < middle) spare[out++] = order[a++]!;
      while (b < right) spare[out++] = order[b++]!;
    }
    [order, spare] = [spare, order];
  }
  return order;
}
