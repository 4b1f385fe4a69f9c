import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A stand-in for the `ssh` program, made by {@link createFakeSsh}. */
export interface FakeSsh {
  /** The program to give as an ssh command (`GIT_SSH_COMMAND`-style, quoted: its path has a space). */
  readonly command: string;
  /** The file the host `slow-host` writes its pid to before sleeping. */
  readonly slowPidFile: string;
  /** Sets the directory remote commands run in: a git server's root, so `git@host:repo.git` resolves. */
  setRoot(root: string): void;
  /** The argument lists of every invocation so far, oldest first. */
  calls(): string[][];
  /** Removes the program and its files. */
  remove(): void;
}

/**
 * A fake ssh program, as git's own test suite has (`test-fake-ssh`): it records its arguments,
 * skips ssh's options and runs the remote command (`git-upload-pack 'repo.git'`) locally in the
 * root given, so SSH transports are tested without an SSH server. Some host names act out
 * failures: `*deny-host` refuses the key, `*changed-host` fails host-key verification,
 * `*kh-host` is accepted only when the known-hosts file given (`-o UserKnownHostsFile=…`) lists
 * `kh-host`, and `*slow-host` never answers (it sleeps, its pid in `slowPidFile`).
 */
export function createFakeSsh(root?: string): FakeSsh {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-fake-ssh-'));
  const log = join(dir, 'ssh.log');
  const rootFile = join(dir, 'root');
  const slowPidFile = join(dir, 'slow.pid');
  const program = join(dir, 'fake ssh');
  writeFileSync(log, '');
  writeFileSync(rootFile, root ?? '');
  writeFileSync(
    program,
    [
      '#!/bin/sh',
      `log='${log}'`,
      'for a in "$@"; do printf "%s\\n" "$a" >> "$log"; done',
      'printf -- "--end--\\n" >> "$log"',
      "hosts=''",
      'while [ $# -gt 0 ]; do',
      '  case "$1" in',
      `    -o) case "$2" in UserKnownHostsFile=*) hosts="\${2#UserKnownHostsFile=}" ;; esac; shift 2 ;;`,
      '    -i|-p|-l|-F|-E|-J) shift 2 ;;',
      '    -*) shift ;;',
      '    *) break ;;',
      '  esac',
      'done',
      'host="$1"; shift',
      'case "$host" in',
      '  *deny-host) echo "$host: Permission denied (publickey)." >&2; exit 255 ;;',
      '  *changed-host) echo "Host key verification failed." >&2; exit 255 ;;',
      `  *slow-host) echo $$ > '${slowPidFile}'; exec sleep 30 ;;`,
      `  *kh-host) grep -q '^kh-host ' "$hosts" 2>/dev/null || { echo "Host key verification failed." >&2; exit 255; } ;;`,
      'esac',
      `cd "$(cat '${rootFile}')" || exit 1`,
      'exec sh -c "$*"',
      '',
    ].join('\n'),
  );
  chmodSync(program, 0o755);
  return {
    command: `'${program}'`,
    slowPidFile,
    setRoot: (path) => writeFileSync(rootFile, path),
    calls: () =>
      readFileSync(log, 'utf8')
        .split('--end--\n')
        .filter((b) => b !== '')
        .map((b) => b.split('\n').filter((l) => l !== '')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
