// Argo CD's default template syntax (fasttemplate): `{{param}}` is replaced by the parameter's
// value wherever it appears in a string; spaces inside the braces are ignored (`{{ name }}`); a tag
// naming no parameter is left as it is, as Argo CD leaves it. Parameters are flat: `path.basename`,
// `metadata.labels.env`, `values.revision`, `path[0]` are names, not expressions.

/** A parameter set: flat names to string values. */
export type ParamSet = Readonly<Record<string, string>>;

const TAG = /\{\{([^{}]*)\}\}/g;

/** `text` with every `{{name}}` whose name is in `params` replaced by its value. */
export function renderTemplateString(text: string, params: ParamSet): string {
  if (!text.includes('{{')) return text;
  return text.replace(TAG, (whole, tag: string) => {
    const name = tag.trim();
    return name !== '' && Object.hasOwn(params, name) ? (params[name] as string) : whole;
  });
}

/** A deep copy of a JSON value with {@link renderTemplateString} applied to every string (keys included). */
export function renderTemplateValue<T>(value: T, params: ParamSet): T {
  return renderAny(value, params) as T;
}

function renderAny(value: unknown, params: ParamSet): unknown {
  if (typeof value === 'string') return renderTemplateString(value, params);
  if (Array.isArray(value)) return value.map((v) => renderAny(v, params));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[renderTemplateString(k, params)] = renderAny(v, params);
    return out;
  }
  return value;
}

/** The tags of `text` that name no parameter of `params` (what would be left unrendered). */
export function unresolvedTags(value: unknown, params: ParamSet): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(TAG)) {
        const name = (m[1] as string).trim();
        if (name !== '' && !Object.hasOwn(params, name)) found.add(name);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        visit(k);
        visit(x);
      }
    }
  };
  visit(value);
  return [...found];
}

/**
 * `name` made fit for a Kubernetes name as Argo CD's `nameNormalized`/`basenameNormalized` do
 * (its `SanitizeName`): lower case, every character other than a-z, 0-9, `-` and `.` replaced by
 * `-`, at most 253 characters, no `-` or `.` at either end.
 */
export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, '');
}
