// bench/oci: pulling a Flux artifact against `curl` + `tar -xzf` of the same layer, in the same run,
// from the same docker-registry (Debian's CNCF distribution server, started here on 127.0.0.1).
//   pnpm bench oci                 (BENCH_RUNS=5 by default)
// Prints, for a 2,000-file artifact: our pull (manifest HEAD + GET, layer streamed, digest checked,
// unpacked) against curl's download of the layer plus GNU tar's extraction (goal <= 2x), and the peak
// memory a pull costs a running process against the layer's size (goal <= 3x), for each storage: in
// memory the unpacked files themselves are held (for manifests, 2 to 3 times the layer), on disk only
// the tree is, as tar -xzf holds nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OciSource, pushArtifact } from '@gitops-kit/oci';
import { REGISTRY_BINARY, startRegistry } from '../../packages/oci/test/registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILES = 2_000;
const BYTES_PER_FILE = 5_000;

/** Deterministic pseudo-random YAML-like text, as bench/git writes (compresses about as manifests do). */
function makeContent(seed: number, size: number): string {
  let x = seed * 2654435761 + 1;
  const words = ['name', 'image', 'replicas', 'port', 'label', 'value', 'app', 'tier', 'env', 'memory'];
  let out = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${seed}\ndata:\n`;
  while (out.length < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += `  ${words[x % words.length]}-${(x >>> 8) % 9973}: "${((x >>> 4) % 1_000_000).toString(36)}${(x % 7919).toString(16)}"\n`;
  }
  return out;
}

function writeTree(dir: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const sub = join(dir, 'apps', `app-${i % 50}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `res-${i}.yaml`), makeContent(i, BYTES_PER_FILE));
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`)),
    );
  });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  if (!existsSync(REGISTRY_BINARY)) {
    console.log(`bench/oci: skipped, ${REGISTRY_BINARY} is absent (apt-get install -y docker-registry)`);
    return;
  }
  const registry = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'bench-oci-'));
  try {
    const tree = join(work, 'tree');
    writeTree(tree, FILES);
    const warmTree = join(work, 'warm');
    writeTree(warmTree, 50);
    // Straight to the registry (the recording proxy would be one more hop for us and not for curl).
    const host = registry.direct;
    const pushed = await pushArtifact({ url: `oci://${host}/bench/big:v1`, dir: tree });
    await pushArtifact({ url: `oci://${host}/bench/warm:v1`, dir: warmTree });
    const layerBytes = pushed.layer.size;
    const blobUrl = `http://${host}/v2/bench/big/blobs/${pushed.layer.digest}`;

    const ours: number[] = [];
    const oursDisk: number[] = [];
    const native: number[] = [];
    let unpacked = 0;
    for (let i = -1; i < RUNS; i++) {
      const out = join(work, `tar-${i}`);
      mkdirSync(out);
      const n = await time(async () => {
        await run('curl', ['-sSf', '-o', join(work, 'layer.tgz'), blobUrl]);
        await run('tar', ['-xzf', join(work, 'layer.tgz'), '-C', out]);
      });
      rmSync(out, { recursive: true, force: true });
      const o = await time(async () => {
        const snapshot = await new OciSource({ url: `oci://${host}/bench/big:v1` }).fetch();
        unpacked = snapshot.size.bytes;
      });
      const store = join(work, `store-${i}`);
      const onDisk = new OciSource({
        url: `oci://${host}/bench/big:v1`,
        storage: { type: 'disk', dir: store },
      });
      const d = await time(() => onDisk.fetch());
      await onDisk.close();
      if (i >= 0) {
        native.push(n);
        ours.push(o);
        oursDisk.push(d);
      }
    }
    const memoryOf = async (storage: string) =>
      JSON.parse(
        await run(process.execPath, [
          '--import',
          'tsx',
          '--conditions=source',
          join(here, 'memory-child.ts'),
          `oci://${host}/bench/big:v1`,
          `oci://${host}/bench/warm:v1`,
          storage,
          join(work, `memory-${storage}`),
        ]),
      ) as { growth: number };
    const memory = await memoryOf('memory');
    const memoryDisk = await memoryOf('disk');

    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(
      `${FILES} files, ${(unpacked / 1e6).toFixed(1)} MB unpacked, layer ${(layerBytes / 1e6).toFixed(2)} MB`,
    );
    console.log(`${pad('measure', 52)}${pad('ours', 12)}${pad('anchor', 12)}${pad('ratio', 8)}goal`);
    const row = (measure: string, a: number, b: number, unit: string, goal: number) => {
      const ratio = a / b;
      console.log(
        `${pad(measure, 52)}${pad(`${a.toFixed(1)} ${unit}`, 12)}${pad(`${b.toFixed(1)} ${unit}`, 12)}${pad(`${ratio.toFixed(2)}x`, 8)}<= ${goal}x ${ratio <= goal ? 'ok' : 'MISSED'}`,
      );
    };
    row('pull, in memory (vs curl + tar -xzf of the layer)', median(ours), median(native), 'ms', 2);
    row('pull, disk storage (same)', median(oursDisk), median(native), 'ms', 2);
    row('peak RSS growth, in memory (vs layer size)', memory.growth / 1e6, layerBytes / 1e6, 'MB', 3);
    row('peak RSS growth, disk storage (vs layer size)', memoryDisk.growth / 1e6, layerBytes / 1e6, 'MB', 3);
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
