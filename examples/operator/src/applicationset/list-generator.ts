import { isJsonObject, ValidationError } from '@gitops-kit/core';
import type { ListGenerator } from './schema.js';
import type { ParamSet } from './template.js';

/**
 * The list generator: one parameter set per element. Values must be strings, as in Argo CD's
 * default template mode; a `values` map gives `values.<key>` parameters. `path` is the
 * generator's field path, for errors.
 */
export function listParamSets(generator: ListGenerator, path: string): ParamSet[] {
  return generator.elements.map((element, i) => {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(element)) {
      const at = `${path}.elements[${i}].${key}`;
      if (key === 'values' && isJsonObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (typeof v !== 'string')
            throw new ValidationError('a value must be a string', { path: `${at}.${k}` });
          params[`values.${k}`] = v;
        }
      } else if (typeof value === 'string') {
        params[key] = value;
      } else {
        throw new ValidationError(
          `a list element's value must be a string (quote it in YAML), got ${typeof value}`,
          {
            path: at,
          },
        );
      }
    }
    return params;
  });
}
