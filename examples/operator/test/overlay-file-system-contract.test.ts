import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeFileSystem } from '@gitops-kit/core';
import { readonlyFileSystemContract } from '@gitops-kit/core/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayFileSystem } from '../src/render-source.js';

// The operator's overlay (an edited kustomization.yaml answered from memory over the source's files)
// passes the ReadonlyFileSystem contract.

readonlyFileSystemContract(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: "the operator's overlay file system",
    make: (files) => {
      const dir = mkdtempSync(join(tmpdir(), 'overlay-contract-'));
      for (const [path, bytes] of Object.entries(files.files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), bytes);
      }
      for (const d of files.directories) mkdirSync(join(dir, d), { recursive: true });
      for (const [path, target] of Object.entries(files.symlinks)) symlinkSync(target, join(dir, path));
      const edited = files.files['kustomization.yaml'] as Uint8Array;
      return {
        fs: overlayFileSystem(nodeFileSystem(), new Map([[join(dir, 'kustomization.yaml'), edited]])),
        base: dir,
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
);
