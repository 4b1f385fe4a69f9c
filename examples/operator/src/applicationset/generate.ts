import { ValidationError } from '@gitops-kit/core';
import { clusterParamSets } from './cluster-generator.js';
import { combineParamSets, mergeParamSets } from './combine.js';
import { DEFAULT_GENERATOR_LIMITS, type GeneratorContext, type GeneratorLimits } from './context.js';
import { gitDirectoryParamSets, gitFileParamSets } from './git-generator.js';
import { listParamSets } from './list-generator.js';
import type { ApplicationSetChildGenerator, ApplicationSetGenerator, GitGenerator } from './schema.js';
import { type ParamSet, renderTemplateValue } from './template.js';

const KINDS = ['list', 'clusters', 'git', 'matrix', 'merge'] as const;

type AnyGenerator = ApplicationSetGenerator | ApplicationSetChildGenerator;

interface Run {
  context: GeneratorContext;
  limits: GeneratorLimits;
  count: number;
}

function kindOf(generator: AnyGenerator, path: string): (typeof KINDS)[number] {
  const present = KINDS.filter((k) => (generator as Record<string, unknown>)[k] !== undefined);
  if (present.length !== 1) {
    throw new ValidationError(
      `a generator must have exactly one of ${KINDS.join(', ')}${present.length > 1 ? `, got ${present.join(' and ')}` : ''} (matrix and merge nest one level deep)`,
      { path },
    );
  }
  return present[0] as (typeof KINDS)[number];
}

function counted(run: Run, sets: ParamSet[], path: string): ParamSet[] {
  run.count += sets.length;
  if (run.count > run.limits.maxParamSets) {
    throw new ValidationError(`the generators produce more than ${run.limits.maxParamSets} parameter sets`, {
      path,
    });
  }
  return sets;
}

async function gitParamSets(generator: GitGenerator, run: Run, path: string): Promise<ParamSet[]> {
  const hasDirs = (generator.directories ?? []).length > 0;
  const hasFiles = (generator.files ?? []).length > 0;
  if (hasDirs === hasFiles) {
    throw new ValidationError('a git generator needs either directories or files', { path });
  }
  const open = run.context.openRepository;
  if (open === undefined)
    throw new ValidationError('no repository reader was given for git generators', { path });
  const fs = await open(generator.repoURL, generator.revision ?? 'HEAD');
  return hasDirs
    ? gitDirectoryParamSets(generator, fs, run.limits, path)
    : gitFileParamSets(generator, fs, run.limits, path);
}

// Matrix: for each set of the first child, the second child rendered with that set's parameters
// (so it can use them: `{{path.basename}}` in a selector), then both combined. Renders that come
// out the same are generated once.
async function matrixParamSets(
  children: readonly AnyGenerator[],
  run: Run,
  path: string,
  depth: number,
): Promise<ParamSet[]> {
  if (children.length !== 2) {
    throw new ValidationError(`a matrix combines exactly two generators, got ${children.length}`, { path });
  }
  const [first, second] = children as [AnyGenerator, AnyGenerator];
  const out: ParamSet[] = [];
  const cache = new Map<string, ParamSet[]>();
  for (const a of await paramSetsOf(first, run, `${path}.generators[0]`, depth)) {
    const rendered = renderTemplateValue(second, a);
    const key = JSON.stringify(rendered);
    let bs = cache.get(key);
    if (bs === undefined) {
      bs = await paramSetsOf(rendered, run, `${path}.generators[1]`, depth);
      cache.set(key, bs);
    }
    for (const b of bs) out.push(combineParamSets(a, b, path));
  }
  return counted(run, out, path);
}

// `depth` counts the matrix and merge generators around this one: Argo CD nests them one level.
async function paramSetsOf(generator: AnyGenerator, run: Run, path: string, depth = 0): Promise<ParamSet[]> {
  const kind = kindOf(generator, path);
  const at = `${path}.${kind}`;
  if ((kind === 'matrix' || kind === 'merge') && depth >= 2) {
    throw new ValidationError('matrix and merge generators nest one level deep, not more', { path: at });
  }
  switch (kind) {
    case 'list':
      return counted(run, listParamSets(generator.list!, at), at);
    case 'clusters':
      return counted(run, clusterParamSets(generator.clusters!, run.context.clusters ?? [], at), at);
    case 'git':
      return counted(run, await gitParamSets(generator.git!, run, at), at);
    case 'matrix':
      return matrixParamSets(generator.matrix!.generators ?? [], run, at, depth + 1);
    case 'merge': {
      const merge = generator.merge!;
      if ((merge.generators ?? []).length === 0) {
        throw new ValidationError('a merge needs at least one generator', { path: at });
      }
      const generated: ParamSet[][] = [];
      for (const [i, child] of merge.generators.entries()) {
        generated.push(await paramSetsOf(child, run, `${at}.generators[${i}]`, depth + 1));
      }
      return counted(run, mergeParamSets(generated, merge.mergeKeys, at), at);
    }
  }
}

/** The parameter sets of one generator (list, clusters, git, matrix or merge), in order. */
export async function generateParamSets(
  generator: ApplicationSetGenerator,
  context: GeneratorContext = {},
  path = 'spec.generators[0]',
): Promise<ParamSet[]> {
  const run: Run = { context, limits: { ...DEFAULT_GENERATOR_LIMITS, ...context.limits }, count: 0 };
  return paramSetsOf(generator, run, path);
}

/** The parameter sets of every generator of an ApplicationSet, generator by generator. */
export async function generateAllParamSets(
  generators: readonly ApplicationSetGenerator[],
  context: GeneratorContext = {},
): Promise<ParamSet[]> {
  const run: Run = { context, limits: { ...DEFAULT_GENERATOR_LIMITS, ...context.limits }, count: 0 };
  const out: ParamSet[] = [];
  for (const [i, generator] of generators.entries()) {
    out.push(...(await paramSetsOf(generator, run, `spec.generators[${i}]`)));
  }
  return out;
}
