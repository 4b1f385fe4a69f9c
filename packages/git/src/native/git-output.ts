import type { RemoteRef } from '../smart-http.js';
import { OBJECT_ID } from './object-id.js';

// What the backend reads from git's output: the refs of `ls-remote` and the object count of `fetch`.

/** The refs of `git ls-remote --symref` output whose names start with one of `prefixes`. */
export function parseLsRemote(output: string, prefixes: string[]): RemoteRef[] {
  const refs = new Map<string, RemoteRef>();
  const symrefs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const left = line.slice(0, tab);
    const name = line.slice(tab + 1);
    if (left.startsWith('ref: ')) symrefs.set(name, left.slice(5));
    else if (!OBJECT_ID.test(left)) continue;
    else if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), left);
    else refs.set(name, { name, oid: left });
  }
  const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
  const out: RemoteRef[] = [];
  for (const ref of refs.values()) {
    if (!wanted(ref.name)) continue;
    const peel = peeled.get(ref.name);
    const target = symrefs.get(ref.name);
    out.push({
      name: ref.name,
      oid: ref.oid,
      ...(peel === undefined ? {} : { peeled: peel }),
      ...(target === undefined ? {} : { symrefTarget: target }),
    });
  }
  return out;
}

/** How many objects the server sent, from fetch's progress (`Receiving objects: 100% (4/4)`). */
export function receivedObjects(stderr: string): number {
  let total = 0;
  for (const m of stderr.matchAll(/(?:Receiving|Unpacking) objects:\s+\d+% \(\d+\/(\d+)\)/g)) {
    total = Number(m[1]);
  }
  return total;
}

/** The `ls-remote` arguments listing `prefixes` of `url` (all refs when none is given). */
export function lsRemoteArgs(url: string, prefixes: string[]): string[] {
  const args = ['ls-remote', '--symref'];
  const underHeads = (p: string) => p.startsWith('refs/heads/');
  const underTags = (p: string) => p.startsWith('refs/tags/');
  // ls-remote sends a v2 ref-prefix only for --heads/--tags (its patterns are tail matches,
  // filtered on this side); other prefixes are listed whole and filtered here.
  if (prefixes.length > 0 && prefixes.every((p) => underHeads(p) || underTags(p))) {
    if (prefixes.some(underHeads)) args.push('--heads');
    if (prefixes.some(underTags)) args.push('--tags');
  }
  args.push('--', url, ...prefixes.map((p) => `${p.replace(/[*?[\\]/g, '\\$&')}*`));
  return args;
}
