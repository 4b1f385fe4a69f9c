// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are substitution expressions, not templates
import { NotFoundError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  loadPostBuildVariables,
  SUBSTITUTE_ANNOTATION,
  SubstitutionError,
  substituteVariables,
} from '../src/index.js';

const deployment = (annotations?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web-${cluster_name}', namespace: 'apps', ...(annotations ? { annotations } : {}) },
  spec: {
    replicas: '${replicas:=2}',
    template: {
      spec: {
        containers: [{ name: 'web', image: 'web:${tag}', command: ['sh', '-c', 'echo $HOME $${KEEP}'] }],
      },
    },
  },
});

describe('substituteVariables', () => {
  it('substitutes and reads the YAML back, so a default becomes a number', () => {
    const out = substituteVariables([deployment()], { cluster_name: 'eu1', tag: '1.0' })[0] ?? {};
    expect(out.metadata).toEqual({ name: 'web-eu1', namespace: 'apps' });
    const spec = out.spec as unknown as {
      replicas: unknown;
      template: { spec: { containers: { image: string; command: string[] }[] } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.containers[0]?.image).toBe('web:1.0');
    expect(spec.template.spec.containers[0]?.command[2]).toBe('echo $HOME ${KEEP}');
  });

  it('one overlay, two clusters', () => {
    const a = substituteVariables([deployment()], { cluster_name: 'eu1', tag: '1', replicas: '3' });
    const b = substituteVariables([deployment()], { cluster_name: 'us1', tag: '2' });
    expect(a[0]).toMatchObject({ metadata: { name: 'web-eu1' }, spec: { replicas: 3 } });
    expect(b[0]).toMatchObject({ metadata: { name: 'web-us1' }, spec: { replicas: 2 } });
  });

  it('skips objects annotated or labelled substitute: disabled', () => {
    const disabled = deployment({ [SUBSTITUTE_ANNOTATION]: 'disabled' });
    const labelled = {
      ...deployment(),
      metadata: { name: '${x}', labels: { [SUBSTITUTE_ANNOTATION]: 'disabled' } },
    };
    const out = substituteVariables([disabled, labelled], { cluster_name: 'eu1' });
    expect(out[0]).toEqual(disabled);
    expect(out[1]).toEqual(labelled);
  });

  it('with no variable at all, nothing is substituted (as in Flux)', () => {
    const obj = deployment();
    expect(substituteVariables([obj], {})[0]).toEqual(obj);
  });

  it('strict mode fails on a variable without value or default, naming the object and variable only', () => {
    let err: unknown;
    try {
      substituteVariables([deployment()], { cluster_name: 's3cr3t-value' }, { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SubstitutionError);
    expect((err as SubstitutionError).variable).toBe('tag');
    expect((err as Error).message).toContain('Deployment/apps/web-${cluster_name}');
    expect((err as Error).message).not.toContain('s3cr3t-value');
  });

  it('refuses an invalid variable name', () => {
    expect(() => substituteVariables([deployment()], { 'bad-name': 'x' })).toThrow(/var name is invalid/);
  });

  it('a value that breaks the YAML is an error that does not quote the value', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '${v}' } };
    let err: unknown;
    try {
      substituteVariables([obj], { v: '[unclosed-s3cr3t' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SubstitutionError);
    expect((err as Error).message).not.toContain('s3cr3t');
  });
});

describe('loadPostBuildVariables', () => {
  const objects: Record<string, Record<string, unknown>> = {
    'ConfigMap/vars': { data: { cluster_name: 'from-cm', region: 'eu' } },
    'Secret/creds': {
      data: { token: Buffer.from('t0k').toString('base64'), region: Buffer.from('us').toString('base64') },
    },
  };
  const get = (kind: string, name: string) => objects[`${kind}/${name}`] as never;

  it('merges ConfigMaps and Secrets in order, inline values last', () => {
    const vars = loadPostBuildVariables(
      {
        substitute: { cluster_name: 'inline' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'vars' },
          { kind: 'Secret', name: 'creds' },
          { kind: 'ConfigMap', name: 'absent', optional: true },
        ],
      },
      get,
    );
    expect(vars).toEqual({ cluster_name: 'inline', region: 'us', token: 't0k' });
  });

  it('a missing object that is not optional is NotFoundError', () => {
    expect(() => loadPostBuildVariables({ substituteFrom: [{ kind: 'Secret', name: 'nope' }] }, get)).toThrow(
      NotFoundError,
    );
  });
});
