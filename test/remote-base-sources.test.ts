// A rendered object's source names its file and line; for an object of a remote base (a git URL in
// `resources`) the file is relative to a directory of another repository, so the source also says
// which repository and revision it came from (issue 16 item 7). Rendered through @gitops-kit/git's
// remote loader against testkit's git server, as a user wires them.
import { createMemFileSystem } from '@gitops-kit/core';
import { createGitRemoteLoader } from '@gitops-kit/git';
import { renderKustomization } from '@gitops-kit/kustomize';
import { type GitServer, startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('sources of remote bases', () => {
  let server: GitServer;
  let commit: string;
  beforeAll(async () => {
    server = await startGitServer({ auth: { username: 'u', password: 'pw-secret' } });
    const repo = await server.createRepository('org/base');
    commit = await repo.commit({
      files: {
        'deploy/kustomization.yaml':
          'resources:\n- cm.yaml\nconfigMapGenerator:\n- name: gen\n  literals: [a=b]\n',
        'deploy/cm.yaml': `# the base\n${configMap('remote')}`,
        'single.yaml': configMap('single'),
      },
    });
    await repo.tag('v1', commit, { message: 'v1' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('name the repository URL and the revision read, and leave local objects alone', async () => {
    // The URL carries credentials, as a kustomization may: they never reach a source.
    const withCredentials = server.url.replace('://', '://u:pw-secret@');
    const base = `${withCredentials}/org/base.git//deploy?ref=v1`;
    const single = `${server.url}/org/base.git//single.yaml?ref=v1`;
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': `resources:\n- local.yaml\n- ${base}\n- ${single}\n`,
      '/app/local.yaml': configMap('local'),
    });
    const result = await renderKustomization(fs, '/app', {
      remoteLoader: createGitRemoteLoader({ auth: () => ({ username: 'u', password: 'pw-secret' }) }),
    });
    const byName = Object.fromEntries(
      result.objects.map((o, i) => [
        String(o.metadata.name).replace(/-[a-z0-9]{10}$/, ''),
        result.sources[i],
      ]),
    );
    const remote = {
      url: `${server.url}/org/base.git//deploy?ref=v1`,
      revision: `refs/tags/v1@sha1:${commit}`,
      origin: `the root of ${server.url}/org/base.git at refs/tags/v1@sha1:${commit}`,
    };
    expect(byName).toEqual({
      local: { file: 'local.yaml', line: 1 },
      remote: { file: 'cm.yaml', line: 2, remote },
      gen: { file: 'kustomization.yaml', line: 1, remote },
      single: {
        file: single,
        line: 1,
        remote: {
          url: single,
          revision: `refs/tags/v1@sha1:${commit}`,
          origin: `the root of ${server.url}/org/base.git at refs/tags/v1@sha1:${commit}`,
        },
      },
    });
    expect(JSON.stringify(result.sources)).not.toContain('pw-secret');
  });
});
