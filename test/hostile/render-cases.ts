import type { GitOpsErrorCode } from '@gitops-kit/core';

/**
 * One hostile render input: a repository (files, symlinks, FIFOs, sparse files made at test time,
 * so nothing big or special is stored) and the typed error its render must end in.
 */
export interface RenderCase {
  name: string;
  /** Files of the repository, by path relative to it; `app/` is the directory rendered. */
  files: Record<string, string>;
  /** Symlinks to make: path → target (relative targets are relative to the link's directory). */
  symlinks?: Record<string, string>;
  /** FIFOs to make (mkfifo). */
  fifos?: string[];
  /** Sparse files of this many bytes (nothing is written into them). */
  sparse?: Record<string, number>;
  /** Render options (limits set small to reach them cheaply). */
  options?: { maxFileBytes?: number; maxInputBytes?: number };
  /** Codes the error may have. */
  codes: GitOpsErrorCode[];
  /** Text the message must contain: the file or field it names. */
  names: string;
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

/** The render corpus: path escapes, symlinks, FIFOs, huge and nested YAML, bad kustomizations. */
export const RENDER_CASES: RenderCase[] = [
  {
    name: 'a resource path climbing out of the repository',
    files: { 'app/kustomization.yaml': 'resources:\n- ../../../etc/passwd\n' },
    codes: ['PATH_ESCAPE'],
    names: 'passwd',
  },
  {
    name: 'an absolute resource path',
    files: { 'app/kustomization.yaml': 'resources:\n- /etc/passwd\n' },
    codes: ['PATH_ESCAPE', 'ABSOLUTE_PATH'],
    names: '/etc/passwd',
  },
  {
    name: 'a resource that is a symlink out of the repository',
    files: { 'app/kustomization.yaml': 'resources:\n- leak.yaml\n' },
    symlinks: { 'app/leak.yaml': '/etc/hostname' },
    codes: ['SYMLINK_ESCAPE', 'PATH_ESCAPE'],
    names: 'leak.yaml',
  },
  {
    name: 'a kustomization.yaml that is a symlink out of its directory',
    files: { 'other/kustomization.yaml': `resources:\n- cm.yaml\n`, 'other/cm.yaml': cm('x') },
    symlinks: { 'app/kustomization.yaml': '../other/kustomization.yaml' },
    codes: ['PATH_ESCAPE', 'SYMLINK_ESCAPE'],
    names: 'kustomization.yaml',
  },
  {
    name: 'a base that is a symlink to /',
    files: { 'app/kustomization.yaml': 'resources:\n- root\n' },
    symlinks: { 'app/root': '/' },
    codes: ['SYMLINK_ESCAPE', 'PATH_ESCAPE'],
    names: 'root',
  },
  {
    name: 'a symlink loop',
    files: { 'app/kustomization.yaml': 'resources:\n- loop.yaml\n' },
    symlinks: { 'app/loop.yaml': 'loop2.yaml', 'app/loop2.yaml': 'loop.yaml' },
    codes: ['SYMLINK_ESCAPE', 'VALIDATION_ERROR', 'PATH_ESCAPE'],
    names: 'loop',
  },
  {
    name: 'a FIFO listed in resources (would block for ever)',
    files: { 'app/kustomization.yaml': 'resources:\n- pipe.yaml\n' },
    fifos: ['app/pipe.yaml'],
    codes: ['VALIDATION_ERROR'],
    names: 'pipe.yaml',
  },
  {
    name: 'a FIFO as the patch file',
    files: {
      'app/kustomization.yaml': `resources:\n- cm.yaml\npatches:\n- path: pipe.yaml\n`,
      'app/cm.yaml': cm('a'),
    },
    fifos: ['app/pipe.yaml'],
    codes: ['VALIDATION_ERROR'],
    names: 'pipe.yaml',
  },
  {
    name: 'a file over maxFileBytes (a sparse 70 MiB file, refused unread by the default limit)',
    files: { 'app/kustomization.yaml': 'resources:\n- huge.yaml\n' },
    sparse: { 'app/huge.yaml': 70 * 1024 * 1024 },
    codes: ['LIMIT_EXCEEDED'],
    names: 'huge.yaml',
  },
  {
    name: 'three files each within maxFileBytes, over maxInputBytes together',
    files: {
      'app/kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n- c.yaml\n',
      'app/a.yaml': `${cm('a')}#${'x'.repeat(3000)}\n`,
      'app/b.yaml': `${cm('b')}#${'x'.repeat(3000)}\n`,
      'app/c.yaml': `${cm('c')}#${'x'.repeat(3000)}\n`,
    },
    options: { maxFileBytes: 4000, maxInputBytes: 8000 },
    codes: ['LIMIT_EXCEEDED'],
    names: 'c.yaml',
  },
  {
    name: 'a resource nested 513 levels',
    files: {
      'app/kustomization.yaml': 'resources:\n- deep.yaml\n',
      'app/deep.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: ${'['.repeat(513)}${']'.repeat(513)}\n`,
    },
    codes: ['YAML_LIMIT_EXCEEDED'],
    names: 'deep.yaml',
  },
  {
    name: 'an alias bomb in a resource',
    files: {
      'app/kustomization.yaml': 'resources:\n- bomb.yaml\n',
      'app/bomb.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: bomb',
        'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
        ...Array.from(
          { length: 8 },
          (_, i) => `x${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`,
        ),
        '',
      ].join('\n'),
    },
    codes: ['YAML_LIMIT_EXCEEDED'],
    names: 'bomb.yaml',
  },
  {
    name: 'more documents in one file than allowed',
    files: { 'app/kustomization.yaml': 'resources:\n- many.yaml\n', 'app/many.yaml': '---\n'.repeat(10_001) },
    codes: ['YAML_LIMIT_EXCEEDED'],
    names: 'many.yaml',
  },
  {
    name: 'a kustomization that is not a map',
    files: { 'app/kustomization.yaml': '- just\n- a list\n' },
    codes: ['VALIDATION_ERROR', 'PARSE_ERROR'],
    names: 'kustomization.yaml',
  },
  {
    name: 'a kustomization with an unknown field',
    files: { 'app/kustomization.yaml': 'resourcez:\n- cm.yaml\n', 'app/cm.yaml': cm('a') },
    codes: ['UNKNOWN_FIELD', 'VALIDATION_ERROR'],
    names: 'kustomization.yaml',
  },
  {
    name: 'a kustomization field of the wrong type',
    files: { 'app/kustomization.yaml': 'resources: 42\n' },
    codes: ['VALIDATION_ERROR'],
    names: 'kustomization.yaml',
  },
  {
    name: 'two kustomization files in one directory',
    files: { 'app/kustomization.yaml': 'resources: []\n', 'app/kustomization.yml': 'resources: []\n' },
    codes: ['VALIDATION_ERROR'],
    names: 'app',
  },
  {
    name: 'two bases that include each other',
    files: {
      'app/kustomization.yaml': 'resources:\n- ../b\n',
      'b/kustomization.yaml': 'resources:\n- ../app\n',
    },
    codes: ['CYCLE_DETECTED', 'VALIDATION_ERROR'],
    names: '../b',
  },
  {
    name: 'a resource that does not exist',
    files: { 'app/kustomization.yaml': 'resources:\n- missing.yaml\n' },
    codes: ['NOT_FOUND'],
    names: 'missing.yaml',
  },
  {
    name: 'an invalid label selector in a patch target',
    files: {
      'app/kustomization.yaml':
        'resources:\n- cm.yaml\npatches:\n- target:\n    labelSelector: "a in ((b"\n  patch: |-\n    - op: add\n      path: /data/x\n      value: y\n',
      'app/cm.yaml': cm('a'),
    },
    codes: ['VALIDATION_ERROR'],
    names: 'kustomization.yaml',
  },
  {
    name: 'a patch that is neither YAML nor a JSON patch',
    files: {
      'app/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: patch.yaml\n',
      'app/cm.yaml': cm('a'),
      'app/patch.yaml': '{{{ not yaml\n',
    },
    codes: ['PARSE_ERROR', 'PATCH_ERROR', 'VALIDATION_ERROR'],
    names: 'patch.yaml',
  },
  {
    name: 'a resource with a duplicate key',
    files: {
      'app/kustomization.yaml': 'resources:\n- dup.yaml\n',
      'app/dup.yaml': `${cm('a')}metadata:\n  name: again\n`,
    },
    codes: ['DUPLICATE_KEY'],
    names: 'dup.yaml',
  },
  {
    name: 'a directory listed as a patch file',
    files: {
      'app/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: dir\n',
      'app/cm.yaml': cm('a'),
      'app/dir/x.yaml': cm('b'),
    },
    codes: ['VALIDATION_ERROR', 'PARSE_ERROR', 'NOT_FOUND'],
    names: 'dir',
  },
  {
    name: 'a git URL resource with no loader',
    files: { 'app/kustomization.yaml': 'resources:\n- https://github.com/org/repo//base?ref=main\n' },
    codes: ['UNSUPPORTED', 'VALIDATION_ERROR', 'NOT_FOUND'],
    names: 'github.com',
  },
];
