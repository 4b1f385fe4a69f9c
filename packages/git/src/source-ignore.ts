import ignore, { type Ignore } from 'ignore';

/** Patterns Flux always excludes: version-control files. */
export const VCS_IGNORE_PATTERNS = ['.git/', '.gitignore', '.gitmodules', '.gitattributes'];

/**
 * Patterns Flux's source-controller excludes by default (binary artefacts, CI configuration); an
 * explicit `ignore` replaces them, as `.spec.ignore` does.
 */
export const DEFAULT_IGNORE_PATTERNS = [
  '*.jpg',
  '*.jpeg',
  '*.gif',
  '*.png',
  '*.wmv',
  '*.flv',
  '*.tar.gz',
  '*.zip',
  '.github/',
  '.circleci/',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
  '**/.goreleaser.yml',
  '**/.sops.yaml',
  '**/.flux.yaml',
];

/** The file name whose gitignore-syntax patterns apply to its directory and below. */
export const SOURCE_IGNORE_FILE = '.sourceignore';

/** Splits gitignore text into pattern lines. */
export function patternLines(text: string | string[]): string[] {
  const lines = Array.isArray(text) ? text.flatMap((t) => t.split(/\r?\n/)) : text.split(/\r?\n/);
  return lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/**
 * Decides whether repository paths are ignored, with gitignore semantics: the source's patterns
 * apply from the root, each `.sourceignore` to its own directory and below, a deeper or later
 * pattern overrides an earlier one, and nothing under an ignored directory comes back.
 */
export class SourceIgnore {
  private readonly rootRules: Ignore;
  private readonly dirRules = new Map<string, Ignore | null>();
  private readonly memo = new Map<string, boolean>();

  /**
   * @param patterns root-level patterns (VCS patterns are always added)
   * @param loadDirPatterns returns the `.sourceignore` text of a directory (`''` is the root), if any
   */
  constructor(
    patterns: string[],
    private readonly loadDirPatterns: (dir: string) => string | undefined,
  ) {
    this.rootRules = ignore().add([...VCS_IGNORE_PATTERNS, ...patterns]);
  }

  private rulesOf(dir: string): Ignore | null {
    let rules = this.dirRules.get(dir);
    if (rules === undefined) {
      const text = this.loadDirPatterns(dir);
      rules = text === undefined ? null : ignore().add(patternLines(text));
      this.dirRules.set(dir, rules);
    }
    return rules;
  }

  /** True when the repository path `path` (no leading slash) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean {
    if (path === '') return false;
    const key = isDirectory ? `${path}/` : path;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    let result = parent !== '' && this.ignores(parent, true);
    if (!result) {
      let ignored = false;
      const apply = (rules: Ignore | null, rel: string) => {
        if (rules === null) return;
        const test = rules.test(isDirectory ? `${rel}/` : rel);
        if (test.ignored) ignored = true;
        else if (test.unignored) ignored = false;
      };
      apply(this.rootRules, path);
      // .sourceignore files from the root down to the parent directory.
      const parts = parent === '' ? [] : parent.split('/');
      for (let depth = 0; depth <= parts.length; depth++) {
        const dir = parts.slice(0, depth).join('/');
        apply(this.rulesOf(dir), dir === '' ? path : path.slice(dir.length + 1));
      }
      result = ignored;
    }
    this.memo.set(key, result);
    return result;
  }
}
