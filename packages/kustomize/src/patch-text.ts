import { PatchError, type YamlDocument, type YamlValue } from '@gitops-kit/core';
import { readYamlDocuments } from './yaml-io.js';

/**
 * Reads a patch's text the way kustomize's PatchTransformer does. Text that begins with `[` is a
 * JSON patch in JSON, and must be JSON (`[{op: add, …}]` in YAML's flow style is refused). Other
 * text is YAML: a list is a JSON patch, which kustomize turns into JSON with go-yaml v2, so its
 * YAML 1.1 booleans (`yes`, `on`, `y`…) are booleans; anything else is a strategic merge patch.
 * `inline` text (a kustomization's `patch:`) is trimmed first, a file's is not.
 */
export function readPatchDocuments(text: string, file: string, inline: boolean): YamlDocument<YamlValue>[] {
  const body = inline ? text.trim() : text;
  if (body.startsWith('[')) {
    try {
      JSON.parse(body);
    } catch {
      throw new PatchError(`unable to parse SM or JSON patch from ${JSON.stringify(body.slice(0, 200))}`, {
        file,
      });
    }
    return readYamlDocuments(body, file, 'patch');
  }
  const docs = readYamlDocuments(text, file, 'patch');
  const first = docs.find((d) => d.value !== null && d.value !== undefined);
  if (!Array.isArray(first?.value)) return docs;
  return readYamlDocuments(text, file, 'json-patch');
}
