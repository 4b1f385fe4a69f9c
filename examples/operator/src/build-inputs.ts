// What an Application's render needs from the cluster besides its source, as Flux's
// kustomize-controller reads it: the decryption keys of `spec.decryption.secretRef` and the
// variables of `spec.postBuild`. The render then decrypts SOPS files before the build, encrypted
// Secrets after it, and substitutes variables last (Flux's order per object).
import { createHash } from 'node:crypto';
import { type ClusterClient, isNotFound } from '@gitops-kit/cluster';
import { type JsonObject, type KubeObject, NotFoundError, type ReadonlyFileSystem } from '@gitops-kit/core';
import { loadPostBuildVariables, substituteVariables } from '@gitops-kit/kustomize';
import {
  decryptingFileSystem,
  decryptionKeysFromSecret,
  decryptObjects,
  type SopsKeys,
} from '@gitops-kit/sops';
import type { ApplicationSource, ApplicationSpec } from './application-schema.js';
import { type RenderedSource, renderApplicationSource } from './render-source.js';

/** The cluster-side inputs of one render. */
export interface BuildInputs {
  /** A digest of keys and variables (never shown): a render is reused only with the same inputs. */
  id: string;
  /** Decryption keys, when `spec.decryption` is set. */
  keys?: SopsKeys | undefined;
  /** Variables, when `spec.postBuild` is set. */
  variables?: Record<string, string> | undefined;
  /** Fail on a variable that is not set and has no default. */
  strict: boolean;
}

async function getOrUndefined(
  client: ClusterClient,
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await client.get({ apiVersion: 'v1', kind, namespace, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function loadKeys(
  client: ClusterClient,
  namespace: string,
  decryption: NonNullable<ApplicationSpec['decryption']>,
): Promise<SopsKeys> {
  const name = decryption.secretRef?.name;
  // Without a Secret there is no key: an encrypted file fails, naming its recipients.
  if (name === undefined) return { ageIdentities: [], pgpKeys: [] };
  const secret = await getOrUndefined(client, 'Secret', namespace, name);
  if (secret === undefined) {
    throw new NotFoundError(`the decryption Secret ${namespace}/${name} does not exist`, {
      path: 'spec.decryption.secretRef.name',
    });
  }
  const { ageIdentities, pgpKeys } = decryptionKeysFromSecret(secret, `Secret ${namespace}/${name}`);
  return { ageIdentities, pgpKeys };
}

async function loadVariables(
  client: ClusterClient,
  namespace: string,
  postBuild: NonNullable<ApplicationSpec['postBuild']>,
): Promise<Record<string, string>> {
  const found = new Map<string, KubeObject | undefined>();
  for (const ref of postBuild.substituteFrom ?? []) {
    const id = `${ref.kind}/${ref.name}`;
    if (!found.has(id)) found.set(id, await getOrUndefined(client, ref.kind, namespace, ref.name));
  }
  return loadPostBuildVariables(
    postBuild,
    (kind, name) => found.get(`${kind}/${name}`) as JsonObject | undefined,
  );
}

/**
 * Reads what `spec.decryption` and `spec.postBuild` name from the Application's namespace: the keys
 * of the decryption Secret (`*.agekey`, `*.asc`) and the variables of `substitute` and
 * `substituteFrom` (optional objects may be missing). Undefined when the spec sets neither. A
 * missing Secret or ConfigMap is a `NotFoundError` naming it, a key entry without a key a
 * `SopsError`: either fails the render, so nothing is synced or pruned.
 */
export async function loadBuildInputs(
  client: ClusterClient,
  namespace: string,
  spec: Pick<ApplicationSpec, 'decryption' | 'postBuild'>,
): Promise<BuildInputs | undefined> {
  if (spec.decryption === undefined && spec.postBuild === undefined) return undefined;
  const keys = spec.decryption ? await loadKeys(client, namespace, spec.decryption) : undefined;
  const variables = spec.postBuild ? await loadVariables(client, namespace, spec.postBuild) : undefined;
  const strict = spec.postBuild?.strict === true;
  const id = createHash('sha256').update(JSON.stringify({ keys, variables, strict })).digest('hex');
  return { id, keys, variables, strict };
}

/** {@link loadBuildInputs} for an Application, from its own namespace, to call when the render needs it. */
export function buildInputsLoader(
  client: ClusterClient,
  app: {
    metadata: { namespace?: string | undefined };
    spec: Pick<ApplicationSpec, 'decryption' | 'postBuild'>;
  },
): () => Promise<BuildInputs | undefined> {
  return () => loadBuildInputs(client, app.metadata.namespace ?? 'default', app.spec);
}

/**
 * Renders an Application's source with its build inputs, in Flux's order: SOPS files decrypted as
 * the renderer reads them, then encrypted objects and Secret entries of the output decrypted, then
 * variables substituted. Without inputs, the plain render.
 */
export async function renderWithBuildInputs(
  fs: ReadonlyFileSystem,
  source: ApplicationSource,
  inputs: BuildInputs | undefined,
): Promise<RenderedSource> {
  if (inputs === undefined) return renderApplicationSource(fs, source);
  const view = inputs.keys ? decryptingFileSystem(fs, inputs.keys) : fs;
  const rendered = await renderApplicationSource(view, source);
  let objects = rendered.objects as unknown as JsonObject[];
  if (inputs.keys) objects = await decryptObjects(objects, inputs.keys);
  if (inputs.variables) objects = substituteVariables(objects, inputs.variables, { strict: inputs.strict });
  return { ...rendered, objects: objects as KubeObject[] };
}
