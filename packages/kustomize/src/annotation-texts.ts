import { type JsonValue, resolvePlainScalar, type YamlDocument, type YamlValue } from '@gitops-kit/core';

/** An annotation value that is not a string, with the text its file wrote it as. */
export interface AnnotationText {
  value: JsonValue;
  text: string;
}

function isMap(v: unknown): v is Record<string, YamlValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A plain scalar that is a number, a boolean or null is one token: up to a space, a flow
// indicator or a comment.
const TOKEN = /^[^\s,[\]{}#]+/;

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * The source text of each annotation of a parsed object whose value is a number, a boolean or null
 * (`1.0`, `0x1F`, `True`, `~`): kustomize reads annotations as strings of their YAML text and
 * prints them so (`"1.0"`), where the parsed value alone would give `"1"`. Undefined when there
 * are none.
 */
export function annotationTextsOf(
  source: string,
  doc: YamlDocument<YamlValue>,
  obj: Record<string, YamlValue>,
): Map<string, AnnotationText> | undefined {
  const meta = obj.metadata;
  const ann = isMap(meta) ? meta.annotations : undefined;
  if (!isMap(ann)) return undefined;
  let out: Map<string, AnnotationText> | undefined;
  let lines: string[] | undefined;
  for (const [key, value] of Object.entries(ann)) {
    if (typeof value === 'string' || (typeof value === 'object' && value !== null)) continue;
    const pos = doc.positionOf(['metadata', 'annotations', key]);
    if (!pos) continue;
    lines ??= source.split('\n');
    const text = lines[pos.line - 1]?.slice(pos.column - 1).match(TOKEN)?.[0];
    // A tagged or otherwise unusual scalar keeps the parsed value's form.
    if (text === undefined || !sameScalar(resolvePlainScalar(text), value)) continue;
    out ??= new Map();
    out.set(key, { value: value as JsonValue, text });
  }
  return out;
}
