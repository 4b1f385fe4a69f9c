// `spec.dependsOn` between Applications, as Flux's `dependsOn`: an Application's automated syncs
// wait until each Application it names is Synced and Healthy at its current revision. What it waits
// for goes to `status.waitingFor` and a `DependencyNotReady` condition; a dependency that leads back
// to the Application is a cycle: it is reported by a `DependencyCycle` condition and not waited on,
// so a cycle never leaves its Applications waiting on each other for ever.
import { type ClusterClient, isNotFound } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { splitApplicationKey } from './application.js';
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  type ApplicationCondition,
  type ApplicationStatus,
  type DependencyWait,
} from './application-schema.js';
import { removeCondition, setCondition } from './conditions.js';
import { shortRevision } from './target-revision.js';

/** The condition type of an Application whose automated syncs wait for its dependencies. */
export const DEPENDENCY_NOT_READY = 'DependencyNotReady';
/** The condition type of an Application whose dependencies lead back to it. */
export const DEPENDENCY_CYCLE = 'DependencyCycle';

/** Finds an Application by `namespace/name` (undefined: there is none). */
export type ApplicationLookup = (key: string) => Promise<KubeObject | undefined>;

/** What an Application's dependencies say, for its status and its automated syncs. */
export interface DependencyState {
  /** The dependencies not ready (or missing), in `spec.dependsOn` order. */
  waitingFor: DependencyWait[];
  /** Each cycle through the Application, as keys from it back to it. */
  cycles: string[][];
}

/** The most Applications one look at the dependency graph reads (a bound on the cycle search). */
export const MAX_DEPENDENCY_GRAPH = 2000;

/** The `namespace/name` keys an Application's `spec.dependsOn` names (duplicates once). */
export function dependencyKeys(app: KubeObject): string[] {
  const spec = (app.spec ?? {}) as { dependsOn?: unknown };
  if (!Array.isArray(spec.dependsOn)) return [];
  const keys = new Set<string>();
  for (const d of spec.dependsOn as { name?: unknown; namespace?: unknown }[]) {
    if (typeof d?.name !== 'string' || d.name === '') continue;
    const ns = typeof d.namespace === 'string' && d.namespace !== '' ? d.namespace : app.metadata.namespace;
    keys.add(`${ns ?? ''}/${d.name}`);
  }
  return [...keys];
}

/**
 * Whether an Application is ready for those that depend on it: its status is of its current
 * generation, no operation is running, and it is Synced and Healthy; else why not.
 */
export function dependencyReadiness(dep: KubeObject): { ready: boolean; message: string } {
  const status = (dep.status ?? {}) as ApplicationStatus;
  const generation = dep.metadata.generation;
  if (typeof generation === 'number' && status.observedGeneration !== generation)
    return { ready: false, message: `its status is not yet of generation ${generation}` };
  if (status.operationState?.phase === 'Running') return { ready: false, message: 'a sync is running' };
  const sync = status.sync?.status ?? 'Unknown';
  const health = status.health?.status ?? 'Unknown';
  const at = status.sync?.revision ? ` at ${shortRevision(status.sync.revision)}` : '';
  if (sync === 'Synced' && health === 'Healthy') return { ready: true, message: `Synced and Healthy${at}` };
  return { ready: false, message: `${sync} and ${health}${at}` };
}

/** The path from `from` back to `target` along dependsOn edges, if any (depth first, bounded). */
async function pathBack(
  from: string,
  target: string,
  read: (key: string) => Promise<KubeObject | undefined>,
  budget: { left: number },
): Promise<string[] | undefined> {
  const seen = new Set<string>();
  const walk = async (key: string): Promise<string[] | undefined> => {
    if (key === target) return [key];
    if (seen.has(key) || budget.left <= 0) return undefined;
    seen.add(key);
    budget.left--;
    const obj = await read(key);
    if (!obj) return undefined;
    for (const next of dependencyKeys(obj)) {
      const rest = await walk(next);
      if (rest) return [key, ...rest];
    }
    return undefined;
  };
  return walk(from);
}

/**
 * The dependency state of Application `key`: each dependency that is missing or not ready, and
 * each cycle through it (a dependency on a cycle is not waited on). Every Application is read at
 * most once per call, and at most {@link MAX_DEPENDENCY_GRAPH} of them.
 */
export async function dependencyState(
  key: string,
  app: KubeObject,
  lookup: ApplicationLookup,
): Promise<DependencyState> {
  const cache = new Map<string, Promise<KubeObject | undefined>>();
  const read = (k: string) => {
    let got = cache.get(k);
    if (!got) {
      got = lookup(k);
      cache.set(k, got);
    }
    return got;
  };
  const budget = { left: MAX_DEPENDENCY_GRAPH };
  const state: DependencyState = { waitingFor: [], cycles: [] };
  for (const dep of dependencyKeys(app)) {
    const cycle = await pathBack(dep, key, read, budget);
    if (cycle) {
      state.cycles.push([key, ...cycle]);
      continue;
    }
    const slash = dep.indexOf('/');
    const ref = { namespace: dep.slice(0, slash), name: dep.slice(slash + 1) };
    const obj = await read(dep);
    if (!obj) {
      state.waitingFor.push({ ...ref, reason: 'Missing', message: 'no such Application' });
      continue;
    }
    const { ready, message } = dependencyReadiness(obj);
    if (!ready) state.waitingFor.push({ ...ref, reason: 'NotReady', message });
  }
  return state;
}

/**
 * `status` with `waitingFor` and the dependency conditions of `state` (set, or removed when they
 * no longer hold); undefined `state`: the Application has no dependencies.
 */
export function withDependencies(
  status: ApplicationStatus,
  state: DependencyState | undefined,
  generation: number | undefined,
  now: string,
): ApplicationStatus {
  const out: ApplicationStatus = { ...status };
  const waiting = state?.waitingFor ?? [];
  if (waiting.length > 0) out.waitingFor = waiting;
  else delete out.waitingFor;
  const gen = generation !== undefined ? { observedGeneration: generation } : {};
  let conditions: ApplicationCondition[] | undefined = status.conditions;
  if (waiting.length > 0) {
    const message = waiting.map((w) => `${w.namespace}/${w.name} (${w.message ?? w.reason})`).join('; ');
    conditions = setCondition(
      conditions,
      {
        type: DEPENDENCY_NOT_READY,
        status: 'True',
        reason: waiting.some((w) => w.reason === 'Missing') ? 'Missing' : 'Waiting',
        message: `automated sync waits for ${message}`,
        ...gen,
      },
      now,
    );
  } else if (conditions?.some((c) => c.type === DEPENDENCY_NOT_READY))
    conditions = removeCondition(conditions, DEPENDENCY_NOT_READY);
  const cycles = state?.cycles ?? [];
  if (cycles.length > 0) {
    const message = cycles.map((c) => c.join(' → ')).join('; ');
    conditions = setCondition(
      conditions,
      {
        type: DEPENDENCY_CYCLE,
        status: 'True',
        reason: 'Cycle',
        message: `dependencies form a cycle, not waited on: ${message}`,
        ...gen,
      },
      now,
    );
  } else if (conditions?.some((c) => c.type === DEPENDENCY_CYCLE))
    conditions = removeCondition(conditions, DEPENDENCY_CYCLE);
  if (conditions !== undefined) out.conditions = conditions;
  return out;
}

/**
 * Finds Applications in the operator's cache first (`cached`, the informer's), else through the
 * API (an Application of another shard or namespace); a 404 is "none".
 */
export function applicationLookup(
  client: ClusterClient,
  cached: ((key: string) => KubeObject | undefined) | undefined,
): ApplicationLookup {
  return async (key) => {
    const hit = cached?.(key);
    if (hit) return hit;
    const { namespace, name } = splitApplicationKey(key);
    try {
      return await client.get({
        apiVersion: APPLICATION_API_VERSION,
        kind: APPLICATION_KIND,
        namespace,
        name,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
}
