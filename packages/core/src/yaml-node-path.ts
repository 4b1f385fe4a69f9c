import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { YamlPath } from './yaml-path.js';
import { type ConvertContext, isMergeKey, keyToString } from './yaml-to-json.js';

function findInMap(ctx: ConvertContext, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const doc = ctx.doc;
  // The definition whose value counts: the last one, or the first with `duplicateKeys: 'first'`.
  const n = map.items.length;
  const first = ctx.duplicateKeys === 'first';
  for (let j = 0; j < n; j++) {
    const pair = map.items[first ? j : n - 1 - j] as Pair;
    if (isMergeKey(pair)) continue;
    let text: string | undefined;
    try {
      text = keyToString(ctx, pair.key, []);
    } catch {
      text = undefined;
    }
    if (text === key) return pair;
  }
  if (depth > 32) return undefined;
  for (const pair of map.items) {
    if (!isMergeKey(pair)) continue;
    const value = pair.value as Node | null;
    const deref = isAlias(value) ? value.resolve(doc) : value;
    const sources = deref && isSeq(deref) ? (deref.items as Node[]) : [deref];
    for (const source of sources) {
      const m = isAlias(source) ? source.resolve(doc) : source;
      if (m && isMap(m)) {
        const found = findInMap(ctx, m as YAMLMap, key, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The node (or, for a key without a value, the pair) at `path` in the document; undefined when there is none. */
export function nodeAt(ctx: ConvertContext, path: YamlPath): Node | Pair | undefined {
  const doc = ctx.doc;
  let node: unknown = doc.contents;
  let hops = 0;
  for (let i = 0; i < path.length; i++) {
    const part = path[i] as string | number;
    while (isAlias(node)) {
      if (++hops > 1000) return undefined;
      node = node.resolve(doc);
    }
    if (isMap(node)) {
      const pair = findInMap(ctx, node as YAMLMap, String(part));
      if (!pair) return undefined;
      // A key with no value (`key:`) has no value node, or an empty one: point at the key.
      const v = pair.value as Node | null | undefined;
      const empty =
        v === null ||
        v === undefined ||
        (isScalar(v) && v.range !== undefined && v.range?.[0] === v.range?.[1]);
      if (empty) return i === path.length - 1 ? pair : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined || node === null) return undefined;
    } else {
      return undefined;
    }
  }
  return (node ?? undefined) as Node | undefined;
}
