// The failure reason of a byte-for-byte comparison: the first line where two renders part, which is
// what a person reads first when a case fails.

/** `output differs at line N: got "…" want "…"` for the first line where `got` and `want` differ. */
export function firstDifference(got: string, want: string): string {
  const a = got.split('\n');
  const b = want.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `output differs at line ${i + 1}: got ${JSON.stringify(a[i])} want ${JSON.stringify(b[i])}`;
}
