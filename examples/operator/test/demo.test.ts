import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/gitops-kit-operator.mjs', import.meta.url));

describe('gitops-kit-operator demo', () => {
  it('--exit-when-synced: prints the web view URL and a clone, exits 0 once dev is Synced/Healthy and prod OutOfSync', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--exit-when-synced', '--port', '0'], {
      stdio: 'pipe',
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, out).toBe(0);
    expect(out).toMatch(/^web view: +http:\/\/127\.0\.0\.1:\d+\/$/m);
    // A token to log in with, for a user with RBAC on the demo's Applications.
    expect(out).toMatch(/^token: +demo-[\w-]{32} +\(log in to the web view as demo-user/m);
    const clone = /^clone: +(\S+)/m.exec(out)?.[1];
    expect(clone).toMatch(/deploy-repo$/);
    // A one-shot cleans its clone up.
    expect(existsSync(clone!)).toBe(false);
    expect(out).toMatch(/dev: Synced\/Healthy at main@sha1:[0-9a-f]{40}; prod: OutOfSync/);
  }, 60_000);
});
