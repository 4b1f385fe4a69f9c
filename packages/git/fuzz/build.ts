/**
 * Makes a recipe's repository with native git: one `git fast-import` stream (commits, tags, refs;
 * `checkpoint`s for several packs), then the recipe's packing (loose objects, `repack -a -d`,
 * `gc --aggressive`, packed refs) and server settings. Returns each commit's id.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { contentBytes } from './content.js';
import { gitOk } from './git.js';
import { applyOp, conflicts, type Op, type Recipe, type TreeModel } from './recipe.js';

/**
 * The bytes of a recipe path: UTF-8, except that U+DC80–U+DCFF (lone surrogates) stand for the
 * single bytes 0x80–0xFF, so a recipe can name files whose names are not UTF-8.
 */
export function pathBytes(path: string): Buffer {
  const out: number[] = [];
  for (const ch of path) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xdc80 && code <= 0xdcff) out.push(code - 0xdc00);
    else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(out);
}

/** A path in fast-import's C-style quotes (any byte but NUL may be in a name). */
function quote(path: string): string {
  let out = '"';
  for (const byte of pathBytes(path)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

class Stream {
  readonly parts: Buffer[] = [];
  line(text: string): void {
    this.parts.push(Buffer.from(`${text}\n`, 'utf8'));
  }
  data(bytes: Buffer): void {
    this.line(`data ${bytes.length}`);
    this.parts.push(bytes, Buffer.from('\n'));
  }
}

/** Writes the ops of one commit that still apply to its first parent's tree (the shrinker drops commits). */
function emitOps(s: Stream, tree: TreeModel, ops: Op[]): void {
  for (const op of ops) {
    const probe: TreeModel = new Map(tree);
    if (!applyOp(probe, op)) continue;
    if (op.op === 'R') {
      const rest: TreeModel = new Map(
        [...tree].filter(([p]) => p !== op.from && !p.startsWith(`${op.from}/`)),
      );
      for (const p of conflicts(rest, op.to)) s.line(`D ${quote(p)}`);
      s.line(`R ${quote(op.from)} ${quote(op.to)}`);
    } else if (op.op === 'D') {
      s.line(`D ${quote(op.path)}`);
    } else {
      for (const p of conflicts(tree, op.path)) s.line(`D ${quote(p)}`);
      if (op.mode === '160000') {
        s.line(
          `M 160000 ${contentBytes(op.content).toString('hex').padEnd(40, '0').slice(0, 40)} ${quote(op.path)}`,
        );
      } else {
        s.line(`M ${op.mode} inline ${quote(op.path)}`);
        s.data(contentBytes(op.content));
      }
    }
    applyOp(tree, op);
  }
}

function stream(recipe: Recipe): Buffer {
  const s = new Stream();
  const trees: TreeModel[] = [];
  const work = 'refs/fuzz/work';
  recipe.commits.forEach((c, i) => {
    s.line(`reset ${work}`);
    s.line(`commit ${work}`);
    s.line(`mark :${i + 1}`);
    s.line(`author ${c.author} ${c.time} ${c.zone}`);
    s.line(`committer ${c.author} ${c.time} ${c.zone}`);
    s.data(Buffer.from(c.message, 'utf8'));
    const parents = [...new Set(c.parents.filter((p) => p < i))];
    parents.forEach((p, k) => {
      s.line(`${k === 0 ? 'from' : 'merge'} :${p + 1}`);
    });
    const tree: TreeModel = new Map(parents.length > 0 ? trees[parents[0] as number] : []);
    if (parents.length === 0) s.line('deleteall');
    emitOps(s, tree, c.ops);
    trees.push(tree);
    s.line('');
    if (recipe.pack.checkpoints.includes(i)) s.line('checkpoint');
  });
  const last = recipe.commits.length;
  recipe.refs.forEach((ref, j) => {
    const commit = Math.min(ref.commit, last - 1) + 1;
    if (ref.tag === undefined) {
      s.line(`reset ${ref.name}`);
      s.line(`from :${commit}`);
      s.line('');
      return;
    }
    const tagger = `tagger T <t@example.com> ${1_700_000_000 + j} +0000`;
    let from = `:${commit}`;
    if (ref.tag.target === 'blob') {
      s.line('blob');
      s.line(`mark :${100_000 + j}`);
      s.data(Buffer.from(`blob of ${ref.name}\n`));
      from = `:${100_000 + j}`;
    } else if (ref.tag.target === 'nested') {
      s.line(`tag ${ref.name.slice(10)}-inner`);
      s.line(`mark :${200_000 + j}`);
      s.line(`from ${from}`);
      s.line(tagger);
      s.data(Buffer.from('inner\n'));
      from = `:${200_000 + j}`;
    }
    s.line(`tag ${ref.name.slice(10)}`);
    s.line(`from ${from}`);
    s.line(tagger);
    s.data(Buffer.from(ref.tag.message, 'utf8'));
  });
  for (let n = 0; n < (recipe.bulkRefs ?? 0); n++) {
    s.line(`reset refs/tags/bulk/${n}`);
    s.line(`from :${(n % last) + 1}`);
  }
  s.line('done');
  return Buffer.concat(s.parts);
}

/** Creates `dir` as a bare repository holding the recipe; returns the commit ids by index. */
export async function buildRepository(recipe: Recipe, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  await gitOk(['init', '--quiet', '--bare', '--initial-branch=main'], dir);
  await gitOk(['config', 'uploadpack.allowAnySHA1InWant', 'true'], dir);
  if (recipe.commits.length === 0) return [];
  const unpack = `fastimport.unpackLimit=${recipe.pack.unpackLimit}`;
  await gitOk(
    ['-c', unpack, 'fast-import', '--quiet', '--force', '--done', '--export-marks=marks'],
    dir,
    stream(recipe),
  );
  await gitOk(['update-ref', '-d', 'refs/fuzz/work'], dir);
  await gitOk(['symbolic-ref', 'HEAD', recipe.head], dir);
  const { repack } = recipe.pack;
  if (repack === 'gc') await gitOk(['gc', '--quiet', '--aggressive', '--prune=now'], dir);
  else if (repack !== undefined) {
    const args = ['repack', '-a', '-d', '-q', `--depth=${repack.depth}`, `--window=${repack.window}`];
    await gitOk(repack.f ? [...args, '-f'] : args, dir);
  }
  if (recipe.pack.packRefs) await gitOk(['pack-refs', '--all'], dir);
  for (const [key, value] of Object.entries(recipe.pack.config)) await gitOk(['config', key, value], dir);
  const marks = new Map<number, string>();
  for (const line of readFileSync(`${dir}/marks`, 'latin1').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) marks.set(Number(m[1]), m[2] as string);
  }
  return recipe.commits.map((_, i) => marks.get(i + 1) as string);
}
