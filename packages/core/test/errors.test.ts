import { describe, expect, it } from 'vitest';
import {
  GitOpsError,
  isGitOpsError,
  NotFoundError,
  ParseError,
  PatchError,
  SecurityError,
  TimeoutError,
  ValidationError,
} from '../src/index.js';

describe('GitOpsError', () => {
  it('puts the location first in the message and keeps the reason apart', () => {
    const err = new ParseError('unexpected end of input', {
      file: 'a.yaml',
      line: 3,
      column: 7,
      path: 'spec.x',
    });
    expect(err.message).toBe('a.yaml:3:7 field spec.x: unexpected end of input');
    expect(err.reason).toBe('unexpected end of input');
    expect(err.location).toEqual({ file: 'a.yaml', line: 3, column: 7, path: 'spec.x' });
    expect(err.name).toBe('ParseError');
    expect(err).toBeInstanceOf(GitOpsError);
    expect(err).toBeInstanceOf(Error);
  });

  it('describes a location without a file', () => {
    expect(new ValidationError('bad', { line: 2, column: 1 }).message).toBe('line 2, column 1: bad');
    expect(new ValidationError('bad').message).toBe('bad');
  });

  it('serialises to JSON with its location, details and a reduced cause', () => {
    const cause = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const err = new NotFoundError('missing', { file: 'k.yaml', cause, details: { tried: ['a', 'b'] } });
    const json = err.toJSON();
    expect(json).toEqual({
      name: 'NotFoundError',
      code: 'NOT_FOUND',
      message: 'k.yaml: missing',
      file: 'k.yaml',
      details: { tried: ['a', 'b'] },
      cause: { name: 'Error', message: 'ENOENT: no such file', code: 'ENOENT' },
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual(json);
  });

  it('nests the JSON of a GitOpsError cause and stringifies other causes', () => {
    const inner = new ParseError('bad yaml', { code: 'DUPLICATE_KEY', line: 4 });
    const outer = new ValidationError('cannot load', { cause: inner });
    expect(outer.toJSON().cause).toEqual(inner.toJSON());
    expect(new TimeoutError('slow', { cause: 42 }).toJSON().cause).toBe('42');
    expect(outer.cause).toBe(inner);
  });

  it('leaves out what is not known', () => {
    expect(new TimeoutError('took too long').toJSON()).toEqual({
      name: 'TimeoutError',
      code: 'TIMEOUT',
      message: 'took too long',
    });
  });

  it('has a stable code per family, overridable within the family', () => {
    expect(new ParseError('x').code).toBe('PARSE_ERROR');
    expect(new ParseError('x', { code: 'YAML_LIMIT_EXCEEDED' }).code).toBe('YAML_LIMIT_EXCEEDED');
    expect(new ValidationError('x').code).toBe('VALIDATION_ERROR');
    expect(new SecurityError('x').code).toBe('PATH_ESCAPE');
    expect(new SecurityError('x', { code: 'SYMLINK_ESCAPE' }).code).toBe('SYMLINK_ESCAPE');
    expect(new PatchError('x').code).toBe('PATCH_ERROR');
    expect(new NotFoundError('x').code).toBe('NOT_FOUND');
  });

  it('is recognised by isGitOpsError, optionally by code', () => {
    const err = new ParseError('x', { code: 'DUPLICATE_KEY' });
    expect(isGitOpsError(err)).toBe(true);
    expect(isGitOpsError(err, 'DUPLICATE_KEY')).toBe(true);
    expect(isGitOpsError(err, 'PARSE_ERROR')).toBe(false);
    expect(isGitOpsError(new Error('x'))).toBe(false);
    expect(isGitOpsError('x')).toBe(false);
  });
});
