// Conformance adapter: the files the real `sops` encrypted in Flux's kustomize-controller tests
// (../shared/conformance/sops, see its NOTICE.md) decrypted with @gitops-kit/sops and the keys beside
// them. Each case is one expectation of NOTICE.md, checked on the decrypted file that carries it:
// the value a Secret or ConfigMap of Flux's build would hold (`data.key` = `value` and so on). The
// kustomize build around the decryption is not exercised here. The main cases get the PGP key too. The Vault file is out of scope.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from '@gitops-kit/core';
import { decryptSops, formatForPath, parseAgeIdentities } from '@gitops-kit/sops';
import type { CorpusResult } from './types.js';

interface SopsCase {
  /** The encrypted file, under controller/testdata/sops. */
  file: string;
  /** The key files (under keys/) given to the decryption. */
  keys: string[];
  /** Where the expected value is read from the decrypted document. */
  read: (plain: string, ids: string[]) => Promise<Record<string, string>>;
  /** The expected fields. */
  want: Record<string, string>;
  /** The file itself is plain; only values inside it are encrypted. */
  plainFile?: boolean;
}

const MAIN_KEYS = ['age.txt', 'age-pq.txt'];

const yamlStringData = async (plain: string) =>
  ((parseYaml(plain) as { stringData?: Record<string, string> }).stringData ?? {}) as Record<string, string>;

const dotenv = async (plain: string) =>
  Object.fromEntries(
    plain
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

const whole = async (plain: string) => ({ key: plain });

// Flux decrypts a Secret's `data` entries that are sops documents after the build, in the format
// the entry's key names (binary for a key without extension).
const secretData = async (plain: string, ids: string[]) => {
  const data = (parseYaml(plain) as { data?: Record<string, string> }).data ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    const text = Buffer.from(v, 'base64').toString('utf8');
    out[k] = await decryptSops(text, { ageIdentities: ids, format: formatForPath(k), file: `data.${k}` });
  }
  return out;
};

const CASES: SopsCase[] = [
  { file: 'algorithms/age.yaml', keys: MAIN_KEYS, read: yamlStringData, want: { key: 'value' } },
  { file: 'algorithms/age-pq.yaml', keys: MAIN_KEYS, read: yamlStringData, want: { key: 'value' } },
  {
    file: 'algorithms/pgp.yaml',
    keys: MAIN_KEYS,
    read: yamlStringData,
    want: { key: 'value' },
  },
  { file: 'envs/env.env', keys: MAIN_KEYS, read: dotenv, want: { key: 'value' } },
  { file: 'files/file.txt', keys: MAIN_KEYS, read: whole, want: { key: 'value' } },
  {
    file: 'inside/secret.yaml',
    keys: MAIN_KEYS,
    read: secretData,
    want: { key: 'value' },
    plainFile: true,
  },
  { file: 'component/env.env', keys: MAIN_KEYS, read: dotenv, want: { key: 'value' } },
  { file: 'remote/env.env', keys: MAIN_KEYS, read: dotenv, want: { key: 'value' } },
  { file: 'patches/merge1.yaml', keys: MAIN_KEYS, read: yamlStringData, want: { key: 'merge1' } },
  { file: 'patches/merge2.yaml', keys: MAIN_KEYS, read: yamlStringData, want: { merge2: 'merge2' } },
  {
    file: 'global/secret.yaml',
    keys: ['age-global.txt'],
    read: yamlStringData,
    want: { key: 'global-value' },
  },
];

/** Runs the sops cases under `dir` (the corpus folder). */
export async function run(dir: string): Promise<CorpusResult> {
  const root = join(dir, 'controller', 'testdata', 'sops');
  const result: CorpusResult = {
    passed: 0,
    total: 0,
    failures: [],
    skipped: { count: 1, reason: 'algorithms/vault.yaml needs a Vault server' },
  };
  for (const c of CASES) {
    result.total++;
    const ids = c.keys.flatMap((k) => parseAgeIdentities(readFileSync(join(root, 'keys', k), 'utf8')));
    let reason: string | undefined;
    try {
      const text = readFileSync(join(root, c.file), 'utf8');
      const pgpKeys = c.keys === MAIN_KEYS ? [readFileSync(join(root, 'keys', 'pgp.asc'), 'utf8')] : [];
      const plain = c.plainFile
        ? text
        : await decryptSops(text, { ageIdentities: ids, pgpKeys, file: c.file });
      const got = await c.read(plain, ids);
      // Field names only: a value, even a test one, never goes into the report.
      const wrong = Object.entries(c.want)
        .filter(([k, v]) => got[k] !== v)
        .map(([k]) => k);
      if (wrong.length > 0) reason = `unexpected value in ${wrong.join(', ')}`;
    } catch (e) {
      reason = (e as Error).message;
    }
    if (reason === undefined) result.passed++;
    else result.failures.push({ id: c.file, reason });
  }
  return result;
}
