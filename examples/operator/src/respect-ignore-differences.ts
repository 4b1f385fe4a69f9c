// The `RespectIgnoreDifferences=true` sync option, as Argo CD's: `ignoreDifferences` rules are also
// honoured when applying, so a sync keeps the live value of an ignored field (a replica count an
// autoscaler set, a value a mutating webhook chose at creation) instead of writing Git's over it.
import {
  deepCopyJson,
  isClusterScopedKind,
  isJsonObject,
  type JsonValue,
  type KubeObject,
  objectKeyOf,
  parseApiVersion,
} from '@gitops-kit/core';
import {
  argoRuleMatches,
  type IgnoreDifferencesRule,
  parseJsonPointer,
  removeAtPointer,
  runJq,
} from '@gitops-kit/diff';

type PathToken = string | number;

const idOf = (obj: KubeObject, defaultNamespace: string): string => {
  const clusterScoped = isClusterScopedKind(parseApiVersion(obj.apiVersion).group, obj.kind);
  const key = objectKeyOf(obj, clusterScoped ? '' : defaultNamespace);
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
};

function getAt(root: unknown, path: readonly PathToken[]): JsonValue | undefined {
  let node: unknown = root;
  for (const token of path) {
    if (Array.isArray(node) && typeof token === 'number') node = node[token];
    else if (isJsonObject(node) && typeof token === 'string' && Object.hasOwn(node, token))
      node = node[token];
    else return undefined;
  }
  return node as JsonValue | undefined;
}

// Sets `value` at `path`, making the objects on the way; false when the path crosses a list item
// the target lacks, or a value that is not a container.
function setAt(root: unknown, path: readonly PathToken[], value: JsonValue): boolean {
  let node: unknown = root;
  for (const [i, token] of path.entries()) {
    const last = i === path.length - 1;
    if (Array.isArray(node) && typeof token === 'number') {
      if (token >= node.length) return false;
      if (last) node[token] = deepCopyJson(value);
      else node = node[token];
    } else if (isJsonObject(node) && typeof token === 'string') {
      if (last) node[token] = deepCopyJson(value);
      else {
        if (!isJsonObject(node[token]) && !Array.isArray(node[token])) node[token] = {};
        node = node[token];
      }
    } else return false;
  }
  return true;
}

function removeAt(root: unknown, path: readonly PathToken[]): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (isJsonObject(parent) && typeof last === 'string') delete parent[last];
}

// The concrete paths a jq path expression selects in `obj` (`[path(EXPR)]`).
function jqPaths(obj: KubeObject, expr: string, where: string): PathToken[][] {
  const results = runJq(obj as unknown as JsonValue, `[path(${expr})]`, { path: where });
  const first = results[0];
  return Array.isArray(first) ? (first.filter(Array.isArray) as PathToken[][]) : [];
}

/** `target` (a copy of the desired object) with the live values of the fields `rule` ignores. */
function keepIgnoredFields(
  target: KubeObject,
  live: KubeObject,
  rule: IgnoreDifferencesRule,
  where: string,
): void {
  for (const pointer of rule.jsonPointers ?? []) {
    const tokens = parseJsonPointer(pointer);
    const path = tokens.map((t, i) => (Array.isArray(getAt(live, tokens.slice(0, i))) ? Number(t) : t));
    const value = getAt(live, path);
    if (value === undefined) removeAtPointer(target, tokens);
    else setAt(target, path, value);
  }
  (rule.jqPathExpressions ?? []).forEach((expr, i) => {
    const at = `${where}.jqPathExpressions[${i}]`;
    const livePaths = jqPaths(live, expr, at);
    const liveIds = new Set(livePaths.map((p) => JSON.stringify(p)));
    // Selected in the target but absent live: not written.
    for (const path of jqPaths(target, expr, at).reverse())
      if (!liveIds.has(JSON.stringify(path))) removeAt(target, path);
    for (const path of livePaths) {
      const value = getAt(live, path);
      if (value !== undefined) setAt(target, path, value);
    }
  });
}

/**
 * The desired objects to apply under `RespectIgnoreDifferences=true`: each one that exists live,
 * with the live values of the fields its `ignoreDifferences` rules ignore (`jsonPointers` and
 * `jqPathExpressions`; a field absent live is left out). Objects not yet live are applied as
 * rendered, as Argo CD does. `managedFieldsManagers` rules count in the comparison only.
 */
export function respectIgnoreDifferences(
  desired: readonly KubeObject[],
  live: readonly KubeObject[],
  rules: readonly IgnoreDifferencesRule[],
  defaultNamespace: string,
): KubeObject[] {
  if (rules.length === 0) return [...desired];
  const liveById = new Map(live.map((l) => [idOf(l, defaultNamespace), l]));
  return desired.map((obj) => {
    const current = liveById.get(idOf(obj, defaultNamespace));
    if (!current) return obj;
    const matching = rules
      .map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => argoRuleMatches(rule, current));
    if (matching.length === 0) return obj;
    const target = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
    for (const { rule, index } of matching)
      keepIgnoredFields(target, current, rule, `ignoreDifferences[${index}]`);
    return target;
  });
}
