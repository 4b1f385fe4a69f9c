import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlDocuments, stringifyKubeYamlDocuments } from '../src/index.js';

// The kustomize conformance corpus (outside the repo, never copied into it) holds what
// `kubectl kustomize` printed for a few hundred real inputs. Every such output must be a fixed
// point of parse + stringify, and every input of a case kustomize rendered must parse. Outside CI
// the suite is skipped when the corpus is not on this machine; in CI (CI=true) a missing corpus is a
// failure, so a moved or unmounted corpus cannot pass silently.
const corpusRoot = process.env.GITOPS_KIT_CONFORMANCE
  ? resolve(process.env.GITOPS_KIT_CONFORMANCE)
  : resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'conformance');
const casesDir = join(corpusRoot, 'kustomize', 'cases');
const available = existsSync(casesDir);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

describe.runIf(inCi && !available)('kustomize corpus in CI', () => {
  it('is present', () => {
    expect.fail(
      `CI=true but the kustomize corpus is missing at ${casesDir}: mount ../shared/conformance or set GITOPS_KIT_CONFORMANCE`,
    );
  });
});

describe.skipIf(!available)('kustomize corpus', () => {
  const cases = available
    ? readdirSync(casesDir).filter((c) => existsSync(join(casesDir, c, 'expected.yaml')))
    : [];

  it('re-prints every kustomize output byte for byte', () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const expected = readFileSync(join(casesDir, c, 'expected.yaml'), 'utf8');
      const values = parseYamlDocuments(expected, { file: `${c}/expected.yaml` }).map((d) => d.value);
      if (stringifyKubeYamlDocuments(values) !== expected) mismatches.push(c);
      const exact = parseYamlDocuments(expected, { file: `${c}/expected.yaml`, bigIntegers: 'bigint' });
      if (stringifyKubeYamlDocuments(exact.map((d) => d.value)) !== expected)
        mismatches.push(`${c} (bigint)`);
    }
    expect(cases.length).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  it('parses every input of the cases kustomize rendered', () => {
    const failures: string[] = [];
    for (const c of cases) {
      for (const file of yamlFiles(join(casesDir, c, 'input'))) {
        // kustomize reads kustomization files with go-yaml v2, which lets a repeated key win.
        const duplicateKeys = /kustomization\.ya?ml$/.test(file) ? 'last' : 'error';
        try {
          parseYamlDocuments(readFileSync(file, 'utf8'), { file, duplicateKeys });
        } catch (err) {
          failures.push(`${file}: ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
