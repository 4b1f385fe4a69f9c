import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package and example, so `vitest run` covers the workspace and
// `vitest run --project core` narrows it. The `source` condition resolves `@gitops-kit/*` imports to
// their TypeScript sources, so tests never need a build first.
const roots = ['packages', 'examples'];
const projects = roots.flatMap((root) =>
  existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'test')))
        .map((d) => ({
          extends: true as const,
          test: {
            name: d.name,
            root: join(root, d.name),
            include: ['test/**/*.test.ts'],
            // A package's own test/setup.ts, when it has one, runs before each test file.
            setupFiles: existsSync(join(root, d.name, 'test', 'setup.ts')) ? ['test/setup.ts'] : [],
          },
        }))
    : [],
);

// Workspace-level tests (test/*.test.ts at the root): what spans packages, such as their READMEs'
// examples and the dependencies their CommonJS builds require.
projects.push({
  extends: true as const,
  test: { name: 'workspace', root: '.', include: ['test/*.test.ts'], setupFiles: [] },
});

export default defineConfig({
  resolve: {
    conditions: ['source', 'module', 'node', 'import', 'default'],
  },
  ssr: {
    resolve: {
      conditions: ['source', 'module', 'node', 'import', 'default'],
      externalConditions: ['source'],
    },
  },
  test: {
    projects,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
