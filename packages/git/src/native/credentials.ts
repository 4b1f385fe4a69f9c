// How credentials reach git without its command line: headers, CA and proxy as `GIT_CONFIG_*`
// variables, the SSH key and known hosts as 0600 files in the repository's private folder, and every
// secret scrubbed from what git prints before it reaches an error.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from '../redact.js';
import type { GitRemote } from '../smart-http.js';

/** SSH settings of `createNativeGitBackend`, turned into `GIT_SSH_COMMAND` (OpenSSH options). */
export interface NativeGitSshOptions {
  /** A private key (PEM or OpenSSH text), written to a 0600 file inside `dir` and passed with `-i`. */
  privateKey?: string | undefined;
  /** known_hosts lines for the server, written to a file inside `dir` (`UserKnownHostsFile`). */
  knownHosts?: string | undefined;
  /** Accept any host key (`StrictHostKeyChecking=no`, known hosts `/dev/null`). Only for tests. */
  insecureIgnoreHostKey?: boolean | undefined;
  /** The ssh program, as a shell word or words (default `ssh`); it must accept OpenSSH's options. */
  command?: string | undefined;
}

/** The secrets of a remote (header values, their tokens and passwords, URL passwords, the SSH key), longest first. */
export function secretsOf(
  remote: GitRemote,
  headers: Record<string, string>,
  ssh: NativeGitSshOptions | undefined,
): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(headers)) {
    secrets.push(value);
    const m = /^(?:basic|bearer|token)\s+(\S+)$/i.exec(value.trim());
    if (m?.[1] !== undefined) {
      secrets.push(m[1]);
      if (/^basic/i.test(value.trim())) {
        const decoded = Buffer.from(m[1], 'base64').toString('utf8');
        secrets.push(decoded);
        const colon = decoded.indexOf(':');
        if (colon >= 0) secrets.push(decoded.slice(colon + 1));
      }
    }
  }
  for (const candidate of [remote.url, typeof remote.proxy === 'string' ? remote.proxy : undefined]) {
    if (candidate === undefined) continue;
    try {
      const parsed = new URL(candidate);
      if (parsed.password !== '') secrets.push(decodeURIComponent(parsed.password), parsed.password);
    } catch {
      // not a URL: nothing to take from it
    }
  }
  if (ssh?.privateKey !== undefined) secrets.push(ssh.privateKey.trim());
  // Longest first, so a secret that contains another is replaced whole.
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** A function removing `secrets` and URL user info from git's output. */
export function scrubber(secrets: string[]): (text: string) => string {
  return (text) => redactSecrets(text, secrets).replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** The `-c` settings of every repository command, passed as `GIT_CONFIG_*` variables. */
export function gitConfig(
  remote: GitRemote,
  headers: Record<string, string>,
  privateDir: string,
): Array<[string, string]> {
  const config: Array<[string, string]> = [
    ['protocol.version', '2'],
    // Never ask: no credential helper, no askpass; with GIT_TERMINAL_PROMPT=0 a 401 fails at once.
    ['credential.helper', ''],
    ['core.askPass', ''],
    // Every fetch keeps its pack (so its size can be reported); `gc --auto` repacks later.
    ['fetch.unpackLimit', '1'],
    ['gc.autoDetach', 'false'],
    ['maintenance.autoDetach', 'false'],
    // An empty value first resets any extra headers from the user's configuration.
    ['http.extraHeader', ''],
    ...Object.entries(headers).map(([k, v]): [string, string] => ['http.extraHeader', `${k}: ${v}`]),
  ];
  if (remote.tls?.ca !== undefined) config.push(['http.sslCAInfo', join(privateDir, 'ca.pem')]);
  if (remote.tls?.insecureSkipVerify === true) config.push(['http.sslVerify', 'false']);
  // git's http.c: an empty http.proxy disables proxying; unset, curl reads HTTPS_PROXY/NO_PROXY.
  if (typeof remote.proxy === 'string') config.push(['http.proxy', remote.proxy]);
  else if (remote.proxy === false) config.push(['http.proxy', '']);
  return config;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `GIT_SSH_COMMAND`: the ssh program with the key and known hosts files, never prompting. */
export function sshCommand(ssh: NativeGitSshOptions, privateDir: string): string {
  const parts = [ssh.command ?? 'ssh'];
  if (ssh.privateKey !== undefined) {
    parts.push('-i', shellQuote(join(privateDir, 'ssh-key')), '-o', 'IdentitiesOnly=yes');
  }
  if (ssh.insecureIgnoreHostKey === true) {
    parts.push('-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=no');
  } else {
    if (ssh.knownHosts !== undefined) {
      parts.push('-o', `UserKnownHostsFile=${shellQuote(join(privateDir, 'known_hosts'))}`);
    }
    parts.push('-o', 'StrictHostKeyChecking=yes');
  }
  // Never a prompt for a passphrase or a password.
  parts.push('-o', 'BatchMode=yes');
  return parts.join(' ');
}

/** Writes (or rewrites) a file only the owner can read, whatever mode an older copy had. */
function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Writes the CA, the SSH key and the known hosts into `privateDir` (0700), each 0600. */
export function writePrivateFiles(
  privateDir: string,
  remote: GitRemote,
  ssh: NativeGitSshOptions | undefined,
): void {
  mkdirSync(privateDir, { recursive: true, mode: 0o700 });
  chmodSync(privateDir, 0o700);
  if (remote.tls?.ca !== undefined) writePrivate(join(privateDir, 'ca.pem'), remote.tls.ca);
  if (ssh?.privateKey !== undefined) {
    // OpenSSH refuses a key file whose last line has no newline.
    const key = ssh.privateKey.replace(/\r\n/g, '\n');
    writePrivate(join(privateDir, 'ssh-key'), key.endsWith('\n') ? key : `${key}\n`);
  }
  if (ssh?.knownHosts !== undefined && ssh.insecureIgnoreHostKey !== true) {
    const hosts = ssh.knownHosts;
    writePrivate(join(privateDir, 'known_hosts'), hosts.endsWith('\n') ? hosts : `${hosts}\n`);
  }
}
