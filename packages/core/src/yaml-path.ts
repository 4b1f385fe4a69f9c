/** A field path: map keys and sequence indexes, e.g. `['spec', 'containers', 0, 'image']`. */
export type YamlPath = readonly (string | number)[];

/** Formats a field path as `spec.containers[0].image`. */
export function formatYamlPath(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
