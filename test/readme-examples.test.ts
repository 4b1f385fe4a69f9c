// The packages' READMEs show code a user copies first, so it must compile and run. Every fenced
// block whose info string starts with `ts` in packages/*/README.md is written out as its own ES
// module, the lot is type-checked once by tsc with the workspace's strict options (against the
// packages' sources, through the `source` condition: no build needed), and each block is then run
// with tsx and must exit 0.
//
// A block marked ```ts no-run is type-checked but not run: it is for a block that needs something
// outside this machine (an SSH server with a deploy key, a real git host, a real cluster), which a
// test cannot provide. Everything that works in process — a testkit cluster, its git server — runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

interface Block {
  /** `<package>-<n>`, the file's name and the test's. */
  id: string;
  /** Where it is, for failure messages: `packages/x/README.md:12`. */
  where: string;
  code: string;
  run: boolean;
}

function extractBlocks(): Block[] {
  const blocks: Block[] = [];
  const packagesDir = join(root, 'packages');
  for (const name of readdirSync(packagesDir).sort()) {
    let text: string;
    try {
      text = readFileSync(join(packagesDir, name, 'README.md'), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^(`{3,})(\S*)\s*(.*)$/.exec(lines[i] ?? '');
      if (!open) continue;
      const [, fence = '', lang, info = ''] = open;
      let end = i + 1;
      while (end < lines.length && lines[end] !== fence) end++;
      if (lang === 'ts' || lang === 'typescript') {
        blocks.push({
          id: `${name}-${blocks.filter((b) => b.id.startsWith(`${name}-`)).length + 1}`,
          where: `packages/${name}/README.md:${i + 1}`,
          code: lines.slice(i + 1, end).join('\n'),
          run: !info.split(/\s+/).includes('no-run'),
        });
      }
      i = end;
    }
  }
  return blocks;
}

function exec(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms: an example must finish by itself)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const blocks = extractBlocks();
// A temporary directory, so nothing is written into the work tree; node_modules links to the
// workspace's, where @gitops-kit/* are the packages themselves.
const dir = mkdtempSync(join(tmpdir(), 'gitops-kit-readmes-'));
symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: { noEmit: true, rootDir: dir },
    include: ['*.ts'],
  }),
);
for (const b of blocks) writeFileSync(join(dir, `${b.id}.ts`), `// ${b.where}\n${b.code}\n`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('finds the examples', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.filter((b) => b.run).length).toBeGreaterThan(3);
  });

  it('type-check (tsc, strict)', { timeout: 300_000 }, async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const { code, output } = await exec(
      process.execPath,
      [tsc, '-p', '.', '--pretty', 'false'],
      dir,
      280_000,
    );
    // Diagnostics name the temporary file; its first line says which README and line it came from.
    const located = output.replace(
      /^([\w-]+)\.ts\((\d+),(\d+)\)/gm,
      (_m, id: string, line: string, col: string) => {
        const b = blocks.find((x) => x.id === id);
        if (!b) return _m;
        const [file, start] = b.where.split(':');
        return `${file}:${Number(start) + Number(line) - 1}:${col}`;
      },
    );
    expect(located, 'tsc reported errors').toBe('');
    expect(code).toBe(0);
  });

  for (const b of blocks.filter((x) => x.run)) {
    it(`runs ${b.where}`, { timeout: 120_000 }, async () => {
      const { code, output } = await exec(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', `${b.id}.ts`],
        dir,
        100_000,
      );
      expect(code, output).toBe(0);
    });
  }
});
