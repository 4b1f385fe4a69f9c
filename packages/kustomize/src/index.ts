/**
 * @packageDocumentation
 * @gitops-kit/kustomize: A kustomize-compatible renderer: `kustomize build` output, byte for byte, in process.
 */
export { type DirectoryOptions, renderDirectory } from './directory.js';
export { envsubst, SubstitutionError, type VariableLookup } from './envsubst.js';
export { DEFAULT_MAX_INPUT_BYTES } from './input-budget.js';
export { EmptyKustomizationError } from './kustomization-file.js';
export {
  loadPostBuildVariables,
  type PostBuildSpec,
  SUBSTITUTE_ANNOTATION,
  type SubstituteReference,
  substituteVariables,
} from './post-build.js';
export {
  type RenderKustomizationOptions,
  type RenderOptions,
  type RenderResult,
  renderKustomization,
} from './render.js';
export type { RenderWarning, RenderWarningCode } from './render-warning.js';
export type { RemoteSource, SourceLocation } from './resource.js';
export type { RemoteLoader, RemoteTarget } from './target-context.js';

/** The version of this package. */
export const VERSION = '0.1.0';
