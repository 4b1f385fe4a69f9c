/**
 * The codes of {@link RenderWarning}: `DEPRECATED_FIELD` for a kustomization field kustomize
 * deprecates (`bases`, `vars`…), `INEXACT_INTEGER` for an integer beyond 2^53 that the rendered
 * objects hold as the nearest JavaScript number (the YAML output keeps it exact).
 */
export type RenderWarningCode = 'DEPRECATED_FIELD' | 'INEXACT_INTEGER';

/** A structured warning of a render (deprecated fields and the like), never printed on stdout. */
export interface RenderWarning {
  /** A stable code, one of {@link RenderWarningCode}. */
  code: RenderWarningCode;
  /**
   * The message, plain text: kustomize's words for the same situation without its `# Warning: `
   * prefix (which `gitops-kit build` prints, as kubectl does), ours where kustomize prints none.
   */
  message: string;
  /** The file it concerns: the kustomization file, or the object's source file (`sources`). */
  file?: string | undefined;
  /** 1-based line in `file`: the field's when known, else its object's. */
  line?: number | undefined;
  /** The field path inside the object, e.g. `spec.limits.maxBytes` (list indexes as `[0]`). */
  field?: string | undefined;
}
