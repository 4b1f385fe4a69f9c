// A `{@link Name}` in a package's doc comments must name something the package declares itself.
// A name it only imports (core's `ValidationError`, thrown as a value) resolves in the sources and
// for typedoc, but not in the bundled `.d.ts` a user's editor reads: tsup keeps an import there only
// when a type needs it, so the link dangles. Such links name the package instead:
// `{@link @gitops-kit/core!ValidationError | ValidationError}` (issue 16 item 5).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const packagesDir = join(import.meta.dirname, '..', 'packages');

// A declaration, not a `type X,` line of a multi-line import.
const DECLARATION =
  /^[ \t]*(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|const|let|enum)\s+([A-Za-z_$][\w$]*)(?=\s*[<=({:]|\s+(?:extends|implements)\b)/gm;

function danglingLinks(pkg: string): string[] {
  const src = join(packagesDir, pkg, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const texts = files.map((f) => [f, readFileSync(join(src, f), 'utf8')] as const);
  const declared = new Set<string>();
  for (const [, text] of texts) for (const m of text.matchAll(DECLARATION)) declared.add(m[1] as string);
  const out: string[] = [];
  for (const [file, text] of texts)
    for (const m of text.matchAll(/\{@link(?:code|plain)?\s+([A-Za-z_$][\w$]*)/g))
      if (!declared.has(m[1] as string)) out.push(`${file}: {@link ${m[1]}}`);
  return out;
}

describe('doc comment links', () => {
  const packages = readdirSync(packagesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  for (const pkg of packages) {
    it(`@gitops-kit/${pkg} links only to its own names, or names the package`, () => {
      expect(danglingLinks(pkg)).toEqual([]);
    });
  }
});
