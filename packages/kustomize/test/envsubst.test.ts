// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are substitution expressions, not templates
// Cases written from the documentation and tests of Flux's envsubst (github.com/fluxcd/pkg/envsubst):
// the same features, our own inputs.
import { describe, expect, it } from 'vitest';
import { envsubst, SubstitutionError } from '../src/index.js';

const from = (vars: Record<string, string>) => (name: string) =>
  Object.hasOwn(vars, name) ? vars[name] : undefined;

describe('envsubst', () => {
  it.each([
    ['plain text', {}, 'just Text 42', 'just Text 42'],
    ['a variable', { region: 'eu-west-1' }, 'region: ${region}', 'region: eu-west-1'],
    ['length in bytes', { word: 'kubernetes' }, '${#word}', '10'],
    ['upper first', { word: 'flux' }, '${word^}', 'Flux'],
    ['upper all', { word: 'flux' }, '${word^^}', 'FLUX'],
    ['lower first', { word: 'FLUX' }, '${word,}', 'fLUX'],
    ['lower all', { word: 'FluX' }, '${word,,}', 'flux'],
    ['offset', { p: '/srv/app/config.yaml' }, '${p:5}', 'app/config.yaml'],
    ['offset and length', { p: '/srv/app/config.yaml' }, '${p:5:3}', 'app'],
    ['negative length', { p: '[abc]' }, '${p:1:-1}', 'abc'],
    ['offset past the end', { p: 'abc' }, '${p:9}', ''],
    ['= default not used', { size: 'large' }, '${size=small}', 'large'],
    ['= default used', {}, '${size=small}', 'small'],
    [':= default used', {}, 'replicas: ${replicas:=2}', 'replicas: 2'],
    [':- default used on empty', { tier: '' }, '${tier:-backend}', 'backend'],
    [':- default not used', { tier: 'web' }, '${tier:-backend}', 'web'],
    ['default from another variable', { fallback: 'blue' }, 'color ${color=${fallback}}', 'color blue'],
    [
      'default mixing text and variables',
      { env: 'prod' },
      '${host:=api.${env}.example.com}',
      'api.prod.example.com',
    ],
    ['replace first', { s: 'a-b-c' }, '${s/-/_}', 'a_b-c'],
    ['replace all', { s: 'a-b-c' }, '${s//-/_}', 'a_b_c'],
    ['replace prefix', { s: 'v1.2.3' }, '${s/#v/version-}', 'version-1.2.3'],
    ['replace suffix', { s: 'app.yaml' }, '${s/%.yaml/.json}', 'app.json'],
    ['prepend with an empty prefix pattern', { s: 'name' }, '${s/#/my-}', 'my-name'],
    ['append with an empty suffix pattern', { s: 'name' }, '${s/%/-x}', 'name-x'],
    ['escaped slash in the pattern', { s: 'team/app' }, '${s/\\//-}', 'team-app'],
    ['replace with nothing', { s: 'a.b' }, '${s/./}', 'ab'],
    ['strip shortest prefix', { f: 'archive.tar.gz' }, '${f#*.}', 'tar.gz'],
    ['strip longest prefix', { f: 'archive.tar.gz' }, '${f##*.}', 'gz'],
    ['strip longest prefix across slashes', { f: 'a/b/c.txt' }, '${f##*/}', 'c.txt'],
    ['strip shortest suffix', { f: 'archive.tar.gz' }, '${f%.*}', 'archive.tar'],
    ['strip longest suffix', { f: 'archive.tar.gz' }, '${f%%.*}', 'archive'],
    ['function inside a default', { name: 'svc' }, '${x=${name^^}}', 'SVC'],
    ['$${ escapes', { v: 'no' }, '$${v}', '${v}'],
    ['escape then substitution', { v: 'yes' }, 'a $${v} b ${v}', 'a ${v} b yes'],
    ['escape with a default inside', { d: 'x' }, '$${v=${d}}', '${v=x}'],
    ['unbraced $var is left alone', { v: 'yes' }, 'echo $v and $HOME', 'echo $v and $HOME'],
    ['a lone $ and braces are text', {}, 'cost: $5 {a} }', 'cost: $5 {a} }'],
    ['backslashes outside expressions are text', { v: 'x' }, '\\\\path ${v}', '\\\\path x'],
  ])('%s', (_name, vars, input, output) => {
    expect(envsubst(input, from(vars))).toBe(output);
  });

  it('an unset variable is empty when not strict', () => {
    expect(envsubst('[${missing}]', from({}))).toBe('[]');
  });

  it.each([
    '${missing}',
    '${#missing}',
    '${missing^}',
    '${missing,,}',
    '${missing:1}',
    '${missing/a/b}',
    '${missing//a/b}',
    '${missing#a}',
    '${missing%%a}',
  ])('strict: %s fails naming the variable', (input) => {
    let err: unknown;
    try {
      envsubst(input, from({}), { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SubstitutionError);
    expect((err as SubstitutionError).variable).toBe('missing');
  });

  it.each([
    ['${missing:-fallback}', 'fallback'],
    ['${missing:=assigned}', 'assigned'],
    ['${missing=assigned}', 'assigned'],
    ['${set}', ''],
  ])('strict: %s with a default or a set (even empty) variable works', (input, output) => {
    expect(envsubst(input, from({ set: '' }), { strict: true })).toBe(output);
  });

  it.each(['${', '${name', '${}', '${ name }', '${name:?x}', '${name:+x}', '${name@}'])(
    'a malformed expression %s is an error',
    (input) => {
      expect(() => envsubst(input, from({ name: 'v' }))).toThrow(SubstitutionError);
    },
  );
});
