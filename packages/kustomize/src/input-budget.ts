import { ParseError } from '@gitops-kit/core';

/**
 * The default of `maxInputBytes`: 32 MiB of files read by one render. Parsed manifests take about
 * 50 times their YAML bytes of V8 heap (22.7 MB of ConfigMaps peaked at 1.1 GB), so this keeps a
 * render near 1.6 GB, within Node's default heap on a 64-bit machine; Argo CD's repo server stops
 * at 10 MB of manifests per directory.
 */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Counts the bytes one render reads (kustomization files, resources, patches, generator inputs,
 * remote files; a file read twice counts twice) and refuses the file that would take the total
 * past the limit, before it is read: each file may be within `maxFileBytes` and the whole still
 * exhaust memory.
 */
export class InputBudget {
  private used = 0;

  constructor(readonly max: number = DEFAULT_MAX_INPUT_BYTES) {}

  /** Bytes taken so far. */
  get total(): number {
    return this.used;
  }

  /** Starts counting afresh. */
  reset(): void {
    this.used = 0;
  }

  /** Takes `size` bytes for `file`; throws a `LIMIT_EXCEEDED` ParseError naming it when over. */
  take(size: number, file: string): void {
    if (this.used + size > this.max) {
      throw new ParseError(
        `reading this file (${size} bytes) would take the render's input to ${this.used + size} bytes, over the limit of ${this.max} bytes (maxInputBytes)`,
        {
          file,
          code: 'LIMIT_EXCEEDED',
          details: { limit: 'maxInputBytes', max: this.max, size, read: this.used },
        },
      );
    }
    this.used += size;
  }
}
