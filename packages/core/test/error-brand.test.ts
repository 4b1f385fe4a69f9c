import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

// A second, independent copy of the error classes, as a process gets when one package loads core's
// ES module build and another its CommonJS build: vite keys modules by id, so a query makes a copy.
const other = (await import(
  /* @vite-ignore */ `${new URL('../src/errors.ts', import.meta.url).pathname}?second-copy`
)) as typeof import('../src/errors.js');

describe('errors from another copy of core', () => {
  it('really is another copy', () => {
    expect(other.GitOpsError).not.toBe(core.GitOpsError);
  });

  it('isGitOpsError recognises an error of the other copy, with its code', () => {
    const err = new other.NotFoundError('no such file', { file: 'a.yaml' });
    expect(core.isGitOpsError(err)).toBe(true);
    expect(core.isGitOpsError(err, 'NOT_FOUND')).toBe(true);
    expect(core.isGitOpsError(err, 'TIMEOUT')).toBe(false);
    expect(other.isGitOpsError(new core.TimeoutError('slow'), 'TIMEOUT')).toBe(true);
  });

  it('instanceof holds for the base and the family, not for another family', () => {
    const err = new other.NotFoundError('no such file');
    expect(err instanceof core.GitOpsError).toBe(true);
    expect(err instanceof core.NotFoundError).toBe(true);
    expect(err instanceof core.ParseError).toBe(false);
    expect(new core.SecurityError('out') instanceof other.SecurityError).toBe(true);
  });

  it('a subclass defined in another package is an instance of its own class across copies', () => {
    class KubeApiErrorA extends core.GitOpsError {}
    const B = { KubeApiErrorA: class KubeApiErrorA extends other.GitOpsError {} }.KubeApiErrorA;
    expect(new B('CONFLICT', 'x') instanceof KubeApiErrorA).toBe(true);
    expect(new B('CONFLICT', 'x') instanceof core.GitOpsError).toBe(true);
  });

  it('an anonymous subclass is matched by its prototype chain only', () => {
    const A = [class extends core.GitOpsError {}][0] as typeof core.GitOpsError;
    const B = [class extends other.GitOpsError {}][0] as typeof core.GitOpsError;
    expect(A.name).toBe('');
    expect(new B('INTERNAL', 'x') instanceof A).toBe(false);
    expect(new A('INTERNAL', 'x') instanceof A).toBe(true);
  });

  it('plain errors, look-alikes and non-objects are not GitOpsErrors', () => {
    expect(core.isGitOpsError(new Error('x'))).toBe(false);
    expect(core.isGitOpsError({ name: 'GitOpsError', code: 'NOT_FOUND', message: 'x' })).toBe(false);
    expect(core.isGitOpsError(undefined)).toBe(false);
    expect(core.isGitOpsError('GitOpsError')).toBe(false);
    expect({ code: 'NOT_FOUND' } instanceof core.NotFoundError).toBe(false);
  });

  it('the brand stays out of JSON and of the error’s own enumerable keys', () => {
    const err = new core.ValidationError('bad', { path: 'spec' });
    expect(Object.keys(err)).not.toContain('gitops-kit.error');
    expect(JSON.stringify(err)).not.toContain('gitops-kit');
    expect(Object.getOwnPropertySymbols(err).map(String)).toEqual(['Symbol(gitops-kit.error)']);
  });
});
