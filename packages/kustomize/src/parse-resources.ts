import { type JsonObject, ValidationError } from '@gitops-kit/core';
import { annotationTextsOf } from './annotation-texts.js';
import { bigIntegerFieldsOf, mayHoldBigInteger } from './plain-objects.js';
import { Resource } from './resource.js';
import { readYamlDocuments } from './yaml-io.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a YAML file or inline text into resources (a `List` expands to its items). */
export function parseResources(text: string, file: string): Resource[] {
  const out: Resource[] = [];
  const big = mayHoldBigInteger(text);
  for (const doc of readYamlDocuments(text, file)) {
    if (doc.value === null || doc.value === undefined) continue;
    if (!isObj(doc.value)) throw new ValidationError('a resource must be a map', { file, line: doc.line });
    const obj = doc.value;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      obj.items.forEach((item, i) => {
        if (!isObj(item)) return;
        const r = checkResource(item, file, doc.line);
        if (big) r.bigIntegers = bigIntegerFieldsOf(doc, item, ['items', i]);
        out.push(r);
      });
      continue;
    }
    const r = checkResource(obj, file, doc.line);
    if (big) r.bigIntegers = bigIntegerFieldsOf(doc, obj);
    // (List items reach kustomize through JSON: their annotations keep no text of their own.)
    r.annotationTexts = annotationTextsOf(text, doc, obj);
    out.push(r);
  }
  return out;
}

function checkResource(obj: JsonObject, file: string, line: number): Resource {
  if (typeof obj.kind !== 'string' || obj.kind === '') {
    throw new ValidationError(`missing Resource metadata: kind is required`, { file, line, path: 'kind' });
  }
  if (
    !isObj(obj.metadata) ||
    (typeof obj.metadata.name !== 'string' && typeof obj.metadata.generateName !== 'string')
  ) {
    throw new ValidationError(`missing metadata.name in object ${obj.kind}`, {
      file,
      line,
      path: 'metadata.name',
    });
  }
  return new Resource(obj, { file, line });
}
