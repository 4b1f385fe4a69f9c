// Conformance adapter: Argo CD's Lua resource customizations (the `kind: lua` cases of the health
// corpus). The scripts are not part of the corpus: they are read from $GITOPS_KIT_LUA_DIR, a
// directory in Argo CD's resource_customizations layout; without it every case is skipped. A
// case counts only when the directory holds its own customization's script (a partial copy would
// otherwise run a wildcard script, `_.crossplane.io/_`, on kinds whose own script is absent).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type KubeObject, nodeFileSystem } from '@gitops-kit/core';
import { LuaHealthEngine, loadLuaHealthChecksFromDir } from '@gitops-kit/health';
import { compareHealth, readHealthCases } from './health-corpus.js';
import type { CorpusResult } from './types.js';

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Runs the lua cases under `dir` (the health corpus folder) with the scripts of $GITOPS_KIT_LUA_DIR. */
export async function run(dir: string): Promise<CorpusResult> {
  const cases = readHealthCases(dir, 'lua');
  const scriptsDir = process.env.GITOPS_KIT_LUA_DIR;
  if (scriptsDir === undefined || scriptsDir === '' || !existsSync(scriptsDir)) {
    return {
      passed: 0,
      total: 0,
      failures: [],
      skipped: {
        count: cases.length,
        reason: 'set GITOPS_KIT_LUA_DIR to a resource_customizations directory',
      },
    };
  }
  const engine = await LuaHealthEngine.create();
  try {
    engine.addScripts(await loadLuaHealthChecksFromDir(nodeFileSystem(), resolve(scriptsDir)));
    const result: CorpusResult = { passed: 0, total: 0, failures: [] };
    let missing = 0;
    for (const c of cases) {
      const group = groupOf(c.target.apiVersion);
      const own =
        c.customization && join(scriptsDir, c.customization.group, c.customization.kind, 'health.lua');
      if (own === undefined || !existsSync(own) || engine.find(group, c.target.kind) === undefined) {
        missing++;
        continue;
      }
      result.total++;
      const reason = compareHealth(c, engine.assess(c.resource as KubeObject, group, c.target.kind));
      if (reason === undefined) result.passed++;
      else result.failures.push({ id: c.id, reason });
    }
    if (missing > 0) result.skipped = { count: missing, reason: `no script of their own in ${scriptsDir}` };
    return result;
  } finally {
    engine.close();
  }
}
