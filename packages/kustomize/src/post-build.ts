// Flux's post-build substitution (kustomize-controller `spec.postBuild`): variables from inline
// `substitute` and from ConfigMaps and Secrets (`substituteFrom`) are expanded in every rendered
// object's YAML, except objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute:
// disabled`. Values may come from Secrets: errors name variables and objects, never values.
import { isJsonObject, type JsonObject, NotFoundError, parseYaml, stringifyKubeYaml } from '@gitops-kit/core';
import { envsubst, SubstitutionError } from './envsubst.js';

/** The label or annotation that turns substitution off for one object, with the value `disabled`. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

/** Where `substituteFrom` reads variables: every data entry of a ConfigMap or Secret. */
export interface SubstituteReference {
  /** `ConfigMap` or `Secret`. */
  kind: 'ConfigMap' | 'Secret';
  /** The object's name (in the Kustomization's namespace). */
  name: string;
  /** A missing object is skipped rather than an error. */
  optional?: boolean;
}

/** Flux's `spec.postBuild`. */
export interface PostBuildSpec {
  /** Inline variables; they win over `substituteFrom`. */
  substitute?: Record<string, string>;
  /** ConfigMaps and Secrets to read variables from, later ones winning. */
  substituteFrom?: SubstituteReference[];
}

/** Flux's rule for variable names. */
const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

/**
 * The variables of a `postBuild` spec: each `substituteFrom` object's data in order (Secret values
 * base64-decoded), then `substitute`. `getObject` returns the ConfigMap or Secret, or undefined
 * when it does not exist; a missing object that is not optional is a `NotFoundError` (`@gitops-kit/core`).
 */
export function loadPostBuildVariables(
  spec: PostBuildSpec,
  getObject: (kind: 'ConfigMap' | 'Secret', name: string) => JsonObject | undefined,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const ref of spec.substituteFrom ?? []) {
    const obj = getObject(ref.kind, ref.name);
    if (obj === undefined) {
      if (ref.optional) continue;
      throw new NotFoundError(`postBuild.substituteFrom: ${ref.kind} '${ref.name}' not found`, {
        path: 'spec.postBuild.substituteFrom',
      });
    }
    const data = isJsonObject(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string') continue;
      vars[k] = ref.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
    }
    if (ref.kind === 'Secret' && isJsonObject(obj.stringData)) {
      for (const [k, v] of Object.entries(obj.stringData)) if (typeof v === 'string') vars[k] = v;
    }
  }
  for (const [k, v] of Object.entries(spec.substitute ?? {})) vars[k] = v;
  return vars;
}

function isDisabled(obj: JsonObject): boolean {
  const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
  const labels = isJsonObject(meta.labels) ? meta.labels : {};
  const annotations = isJsonObject(meta.annotations) ? meta.annotations : {};
  return labels[SUBSTITUTE_ANNOTATION] === 'disabled' || annotations[SUBSTITUTE_ANNOTATION] === 'disabled';
}

function objectName(obj: JsonObject): string {
  const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${String(obj.kind)}/${ns}${String(meta.name)}`;
}

/**
 * Expands `${var}` expressions in each object, as Flux does after the build: the object is written
 * as YAML, substituted, and read back (so `replicas: ${n:=2}` becomes a number). With no variable
 * at all, objects are returned unchanged, as in Flux. `strict` fails on a variable that is not set
 * and has no default.
 */
export function substituteVariables(
  objects: readonly JsonObject[],
  vars: Record<string, string>,
  options: { strict?: boolean } = {},
): JsonObject[] {
  const names = Object.keys(vars);
  for (const name of names) {
    if (!VAR_NAME.test(name))
      throw new SubstitutionError(`'${name}' var name is invalid, must match '${VAR_NAME.source}'`, {
        variable: name,
      });
  }
  if (names.length === 0) return [...objects];
  const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
  return objects.map((obj) => {
    if (isDisabled(obj)) return obj;
    let text: string;
    try {
      text = envsubst(stringifyKubeYaml(obj), lookup, { strict: options.strict });
    } catch (e) {
      if (!(e instanceof SubstitutionError)) throw e;
      throw new SubstitutionError(`${objectName(obj)}: variable substitution failed: ${e.reason}`, {
        variable: e.variable,
      });
    }
    let out: unknown;
    try {
      out = parseYaml(text);
    } catch {
      // The parser's message may quote the text, which now holds values: name the object only.
      throw new SubstitutionError(`${objectName(obj)}: the substituted YAML does not parse`);
    }
    if (!isJsonObject(out))
      throw new SubstitutionError(`${objectName(obj)}: the substituted object is not a mapping`);
    return out;
  });
}
