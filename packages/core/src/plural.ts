/**
 * A count and its noun, singular for exactly one: `countOf(1, 'object')` is `1 object`,
 * `countOf(3, 'object')` is `3 objects`; give `plural` for irregular nouns (`countOf(2, 'entry',
 * 'entries')`). Messages use it so that none says "1 objects".
 */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
