import { SecurityError } from '@gitops-kit/core';
import { GitAuthError, GitNetworkError, GitNotFoundError, GitProtocolError } from '../errors.js';
import { NativeGitUnavailableError } from './unavailable-error.js';

/** A failed git command as a typed error, and whether trying again may help. */
export interface Failure {
  error: Error;
  retry: boolean;
}

/** Lines of git's stderr that are progress, not a reason. */
const PROGRESS_LINE =
  /^(remote: )?(Enumerating|Counting|Compressing|Total|Receiving|Resolving|Unpacking|Checking|Updating|From |\s*\*|\s*$)/;

/** The first word of a shell command line, unquoted. */
function firstShellWord(command: string): string {
  const m = /^\s*(?:'([^']*)'|"([^"]*)"|(\S+))/.exec(command);
  return m?.[1] ?? m?.[2] ?? m?.[3] ?? command;
}

/**
 * Types a failed git command by its (already scrubbed) stderr, read in the C locale: a missing
 * program, refused credentials, an unknown host key, a missing repository, ref or commit, a TLS
 * failure, a network failure (the only one retried), else a protocol error.
 */
export function classify(
  stderr: string,
  what: string,
  kind: 'ref' | 'commit',
  git: string,
  sshProgram: string | undefined,
): Failure {
  const reasons = stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !PROGRESS_LINE.test(l));
  const reason = reasons.slice(-4).join('; ') || 'git failed without a message';
  const message = `${what}: ${reason}`;
  const unavailable = missingProgram(stderr, message, git, sshProgram);
  if (unavailable !== undefined) return { error: unavailable, retry: false };
  return classifyText(stderr.toLowerCase(), message, kind, { stderr: reason });
}

// `error: cannot run ssh: No such file or directory` from git; `…: 1: prog: not found` from the
// shell git runs GIT_SSH_COMMAND with (only the ssh program counts: a server without git says so too).
function missingProgram(
  stderr: string,
  message: string,
  git: string,
  sshProgram: string | undefined,
): NativeGitUnavailableError | undefined {
  const cannotRun = /cannot run ([^:\s]+)|cannot exec '([^']+)'/.exec(stderr);
  const shellMissing = /: \d+: ([^\n]+?): not found/.exec(stderr)?.[1];
  const ssh = firstShellWord(sshProgram ?? 'ssh');
  const program =
    cannotRun !== null
      ? (cannotRun[1] ?? cannotRun[2] ?? ssh)
      : shellMissing !== undefined && (shellMissing === ssh || shellMissing.endsWith(`/${ssh}`))
        ? shellMissing
        : undefined;
  if (program !== undefined) {
    return new NativeGitUnavailableError(program, `${message} (is ${program} installed?)`);
  }
  if (/unable to find remote helper|remote-https?' is not a git command/.test(stderr.toLowerCase())) {
    return new NativeGitUnavailableError(
      'git-remote-http',
      `${message} (git was built without its HTTP helper, git-remote-http; install the full ${git} package)`,
    );
  }
  return undefined;
}

function classifyText(
  text: string,
  message: string,
  kind: 'ref' | 'commit',
  details: { stderr: string },
): Failure {
  if (/returned error: 407|proxy authentication required/.test(text)) {
    return { error: new GitAuthError(message, 407, { details }), retry: false };
  }
  if (/returned error: 403|http 403/.test(text)) {
    return { error: new GitAuthError(message, 403, { details }), retry: false };
  }
  if (
    /terminal prompts disabled|authentication failed|returned error: 401|http 401|could not read (username|password)|permission denied \((publickey|password|keyboard)|permission denied, please try again|no supported authentication methods|too many authentication failures/.test(
      text,
    )
  ) {
    return { error: new GitAuthError(message, 401, { details }), retry: false };
  }
  if (
    /host key verification failed|remote host identification has changed|host key for .* has changed/.test(
      text,
    )
  ) {
    return {
      error: new SecurityError(`${message} (the server's host key is not in the known hosts given)`, {
        code: 'FORBIDDEN',
        details,
      }),
      retry: false,
    };
  }
  if (
    /repository .* not found|does not appear to be a git repository|returned error: 404|http 404|no such repository|repository not found/.test(
      text,
    )
  ) {
    return { error: new GitNotFoundError('repository', message, { details }), retry: false };
  }
  if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object|not found/.test(text)) {
    return { error: new GitNotFoundError(kind, message, { details }), retry: false };
  }
  if (
    /ssl certificate problem|certificate verif|unable to get local issuer|ssl_error|gnutls|tls/.test(text)
  ) {
    return { error: new GitNetworkError(message, { details }), retry: false };
  }
  if (
    /could not resolve (host|proxy)|failed to connect|couldn't connect|connection refused|connection reset|connection timed out|timed out|empty reply from server|recv failure|send failure|network is unreachable|no route to host|early eof|remote end hung up|could not read from remote repository|connection closed|broken pipe|rpc failed|transfer closed/.test(
      text,
    )
  ) {
    return { error: new GitNetworkError(message, { details }), retry: true };
  }
  return { error: new GitProtocolError(message, { details }), retry: false };
}
