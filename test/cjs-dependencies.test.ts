// Every package ships a CommonJS build, which loads the package's dependencies with require().
// An ES-module-only dependency loads that way only on Node 20.19 and later (our engines floor),
// and its default export then arrives as the whole module namespace: `import pLimit from 'p-limit'`
// built to CommonJS threw `import_p_limit.default is not a function` (issue 16). So an ES-module-only
// dependency must be known here, with the reason it is fine, and never be default-imported.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');

/** ES-module-only dependencies a CommonJS build may require, and why that is fine. */
const ESM_ONLY_ALLOWED: Record<string, string> = {
  '@kubernetes/client-node':
    'cluster uses named imports only; require() of an ES module works from Node 20.19 (engines), and bundling client-node would duplicate it',
  'age-encryption':
    'sops uses named imports only (Decrypter, armor); require() of an ES module works from Node 20.19 (engines)',
};

interface Manifest {
  type?: string;
  main?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** What `require(name)` would load, by the package's exports or main: undefined when nothing. */
function requireTarget(pkg: Manifest): string | undefined {
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry)) return entry.map(pick).find((x) => x !== undefined);
    if (entry !== null && typeof entry === 'object') {
      for (const [cond, value] of Object.entries(entry)) {
        if (['require', 'node', 'default'].includes(cond)) {
          const found = pick(value);
          if (found !== undefined) return found;
        }
      }
    }
    return undefined;
  };
  if (pkg.exports !== undefined) {
    const exp = pkg.exports as Record<string, unknown>;
    const dot = typeof exp === 'object' && exp !== null && '.' in exp ? exp['.'] : exp;
    return pick(dot);
  }
  return pkg.main ?? 'index.js';
}

/** True when `require()` of the package in `dir` (its manifest `pkg`) would load an ES module. */
function isEsmOnly(pkg: Manifest, dir?: string): boolean {
  const target = requireTarget(pkg);
  if (target === undefined) return true;
  if (target.endsWith('.mjs')) return true;
  if (target.endsWith('.cjs')) return false;
  // A .js file is what the nearest package.json says (diff ships libcjs/package.json: commonjs).
  if (dir !== undefined) {
    for (let d = dirname(join(dir, target)); d.startsWith(dir) && d !== dir; d = dirname(d)) {
      if (existsSync(join(d, 'package.json'))) return readJson(join(d, 'package.json')).type === 'module';
    }
  }
  return pkg.type === 'module';
}

/** True when `source` imports the default export of `dep` (a value, not a type). */
function defaultImports(source: string, dep: string): boolean {
  const name = dep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^import\\s+(?!type\\b)[\\w$]+\\s*(,\\s*\\{[^}]*\\})?\\s*from\\s*'${name}'`, 'm').test(
    source,
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const packages = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'package.json')));

describe('dependencies the CommonJS builds require', () => {
  it('tells ES-module-only from CommonJS packages', () => {
    expect(isEsmOnly({ type: 'module', exports: { types: './index.d.ts', default: './index.js' } })).toBe(
      true,
    );
    expect(isEsmOnly({ type: 'module', exports: { import: './a.js', require: './a.cjs' } })).toBe(false);
    expect(isEsmOnly({ exports: { '.': { import: './a.mjs' } } })).toBe(true);
    expect(isEsmOnly({ main: 'lib/index.js' })).toBe(false);
    expect(defaultImports("import pLimit, { type LimitFunction } from 'p-limit';\n", 'p-limit')).toBe(true);
    expect(defaultImports("import pLimit from 'p-limit';", 'p-limit')).toBe(true);
    expect(
      defaultImports("import { KubeConfig } from '@kubernetes/client-node';", '@kubernetes/client-node'),
    ).toBe(false);
    expect(defaultImports("import type Limit from 'p-limit';", 'p-limit')).toBe(false);
  });

  it('every allowed ES-module-only dependency is still one, of some package', () => {
    const esmDeps = packages.flatMap((name) => {
      const dir = join(packagesDir, name);
      return Object.keys(readJson(join(dir, 'package.json')).dependencies ?? {}).filter((d) => {
        const depDir = join(dir, 'node_modules', d);
        return !d.startsWith('@gitops-kit/') && isEsmOnly(readJson(join(depDir, 'package.json')), depDir);
      });
    });
    expect(new Set(esmDeps)).toEqual(new Set(Object.keys(ESM_ONLY_ALLOWED)));
  });

  for (const name of packages) {
    it(`${name}: no ES-module-only dependency but the allowed ones, none default-imported`, () => {
      const dir = join(packagesDir, name);
      const deps = Object.keys(readJson(join(dir, 'package.json')).dependencies ?? {}).filter(
        (d) => !d.startsWith('@gitops-kit/'),
      );
      const esmOnly = deps.filter((d) => {
        const depDir = join(dir, 'node_modules', d);
        return isEsmOnly(readJson(join(depDir, 'package.json')), depDir);
      });
      expect(esmOnly.filter((d) => !(d in ESM_ONLY_ALLOWED))).toEqual([]);
      const found = sourceFiles(join(dir, 'src')).flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return esmOnly.filter((d) => defaultImports(text, d)).map((d) => `${file}: default import of ${d}`);
      });
      expect(found).toEqual([]);
    });
  }
});
