/**
 * Stable machine-readable error codes. Callers switch on `code`, never on messages, so a code once
 * published is never renamed; new families add new codes.
 */
export type GitOpsErrorCode =
  // parsing input (YAML, JSON, kustomization files)
  | 'PARSE_ERROR'
  | 'YAML_LIMIT_EXCEEDED'
  | 'LIMIT_EXCEEDED'
  | 'DUPLICATE_KEY'
  // well-formed input that breaks a rule
  | 'VALIDATION_ERROR'
  | 'UNKNOWN_FIELD'
  | 'DUPLICATE_RESOURCE'
  | 'CYCLE_DETECTED'
  | 'UNSUPPORTED'
  // an integer beyond 2^53 that a JavaScript number (hence JSON crossing our APIs) cannot hold exactly
  | 'INEXACT_INTEGER'
  // patches
  | 'PATCH_ERROR'
  | 'PATCH_CONFLICT'
  | 'PATCH_TEST_FAILED'
  // lookups
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  // security
  | 'PATH_ESCAPE'
  | 'SYMLINK_ESCAPE'
  | 'ABSOLUTE_PATH'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  // operations
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'SERVER_ERROR'
  | 'TOO_MANY_REQUESTS'
  // stopped on request (an AbortSignal) before the work was done
  | 'CANCELLED'
  | 'INVALID'
  | 'HEALTH_CHECK_ERROR'
  | 'SYNC_ERROR'
  | 'RENDER_ERROR'
  | 'INTERNAL';

/** Where in the input an error was found. Every field is optional: give what is known. */
export interface ErrorLocation {
  /** The file the input came from, relative to the root it was read from where there is one. */
  file?: string | undefined;
  /** 1-based line number. */
  line?: number | undefined;
  /** 1-based column number. */
  column?: number | undefined;
  /** The field path inside the document, e.g. `spec.template.spec.containers[0].image`. */
  path?: string | undefined;
}

/** Options accepted by every {@link GitOpsError} constructor. */
export interface GitOpsErrorOptions extends ErrorLocation {
  /** The error that caused this one. */
  cause?: unknown;
  /** Structured details a program can act on (for example the conflicting fields). */
  details?: Record<string, unknown> | undefined;
}

/** The JSON form of a {@link GitOpsError}, as written to logs, events and API answers. */
export interface GitOpsErrorJSON extends ErrorLocation {
  name: string;
  code: GitOpsErrorCode;
  message: string;
  details?: Record<string, unknown> | undefined;
  cause?: unknown;
}

function describeLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) {
    let where = loc.file;
    if (loc.line !== undefined) where += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
    parts.push(where);
  } else if (loc.line !== undefined) {
    parts.push(`line ${loc.line}${loc.column !== undefined ? `, column ${loc.column}` : ''}`);
  }
  if (loc.path !== undefined && loc.path !== '') parts.push(`field ${loc.path}`);
  return parts.join(' ');
}

// The key of the brand every GitOpsError carries: the names of its classes, its own first. A
// registered symbol is the same in every copy of core loaded into one process (its ES module and
// CommonJS builds, or two versions side by side), where the classes themselves are not, so an error
// thrown by one copy is still recognised by another.
const GITOPS_ERROR_BRAND: unique symbol = Symbol.for('gitops-kit.error');

// The base's name is spelled out: a consumer's minifier may rename the class, and every copy must
// agree on the one name isGitOpsError looks for.
function brandNameOf(ctor: unknown): string {
  return ctor === GitOpsError ? 'GitOpsError' : (ctor as { name: string }).name;
}

function classNamesOf(ctor: unknown): string[] {
  const names: string[] = [];
  for (let c = ctor; typeof c === 'function' && c !== Error && c !== Function.prototype; ) {
    names.push(brandNameOf(c));
    c = Object.getPrototypeOf(c);
  }
  return names;
}

/**
 * The base class of every error gitops-kit throws on purpose. It carries a stable `code`, the
 * location of the bad input (file, line, column, field path) and the cause, and serialises to JSON
 * for logs and status fields. The message starts with the location, so a person sees where to look.
 */
export class GitOpsError extends Error {
  /** A stable machine-readable code. */
  readonly code: GitOpsErrorCode;
  /** The file the bad input came from. */
  readonly file: string | undefined;
  /** 1-based line of the bad input. */
  readonly line: number | undefined;
  /** 1-based column of the bad input. */
  readonly column: number | undefined;
  /** The field path of the bad input. */
  readonly path: string | undefined;
  /** Structured details (for example conflict causes). */
  readonly details: Record<string, unknown> | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  /**
   * `instanceof` that also holds across copies of the package: an object whose brand names this
   * class (an error constructed by another copy of core, or of the package that defines the
   * subclass) is an instance, as well as anything on this class's own prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`: a subclass inherits this method.
    // biome-ignore lint/complexity/noThisInStatic: the subclass asked about, not GitOpsError
    // biome-ignore lint/complexity/noUselessThisAlias: one place to say why `this` is wanted
    const cls: unknown = this;
    if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true;
    // An anonymous class has no name to recognise it by in another copy.
    const name = brandNameOf(cls);
    return name !== '' && (brandOf(value)?.includes(name) ?? false);
  }

  constructor(code: GitOpsErrorCode, message: string, options: GitOpsErrorOptions = {}) {
    const where = describeLocation(options);
    super(
      where ? `${where}: ${message}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    // Not enumerable: the brand is no part of the error's JSON or of what a test compares.
    Object.defineProperty(this, GITOPS_ERROR_BRAND, { value: classNamesOf(new.target) });
    this.code = code;
    this.reason = message;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.path = options.path;
    this.details = options.details;
  }

  /** The location of the bad input. */
  get location(): ErrorLocation {
    return { file: this.file, line: this.line, column: this.column, path: this.path };
  }

  /** A plain JSON form, safe to log: the cause is reduced to its name, code and message. */
  toJSON(): GitOpsErrorJSON {
    const json: GitOpsErrorJSON = { name: this.name, code: this.code, message: this.message };
    if (this.file !== undefined) json.file = this.file;
    if (this.line !== undefined) json.line = this.line;
    if (this.column !== undefined) json.column = this.column;
    if (this.path !== undefined) json.path = this.path;
    if (this.details !== undefined) json.details = this.details;
    if (this.cause !== undefined) json.cause = causeToJSON(this.cause);
    return json;
  }
}

function causeToJSON(cause: unknown): unknown {
  if (cause instanceof GitOpsError) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, message: cause.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return String(cause);
}

/** Input that could not be parsed: malformed YAML or JSON, a document over a limit, a duplicate key. */
export class ParseError extends GitOpsError {
  constructor(
    message: string,
    options: GitOpsErrorOptions & {
      code?: 'PARSE_ERROR' | 'YAML_LIMIT_EXCEEDED' | 'LIMIT_EXCEEDED' | 'DUPLICATE_KEY';
    } = {},
  ) {
    super(options.code ?? 'PARSE_ERROR', message, options);
  }
}

/** Well-formed input that breaks a rule: an unknown field, a missing required field, a duplicate id. */
export class ValidationError extends GitOpsError {
  constructor(
    message: string,
    options: GitOpsErrorOptions & {
      code?:
        | 'VALIDATION_ERROR'
        | 'UNKNOWN_FIELD'
        | 'DUPLICATE_RESOURCE'
        | 'CYCLE_DETECTED'
        | 'UNSUPPORTED'
        | 'INEXACT_INTEGER';
    } = {},
  ) {
    super(options.code ?? 'VALIDATION_ERROR', message, options);
  }
}

/** Something that was asked for does not exist: a file, an object, a ref. */
export class NotFoundError extends GitOpsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** A request that would leave its root or act without permission. Never retried. */
export class SecurityError extends GitOpsError {
  constructor(
    message: string,
    options: GitOpsErrorOptions & {
      code?: 'PATH_ESCAPE' | 'SYMLINK_ESCAPE' | 'ABSOLUTE_PATH' | 'FORBIDDEN' | 'UNAUTHORIZED';
    } = {},
  ) {
    super(options.code ?? 'PATH_ESCAPE', message, options);
  }
}

/** A patch that cannot be applied or created. */
export class PatchError extends GitOpsError {
  constructor(
    message: string,
    options: GitOpsErrorOptions & { code?: 'PATCH_ERROR' | 'PATCH_CONFLICT' | 'PATCH_TEST_FAILED' } = {},
  ) {
    super(options.code ?? 'PATCH_ERROR', message, options);
  }
}

/** An operation that did not finish in time. */
export class TimeoutError extends GitOpsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('TIMEOUT', message, options);
  }
}

function brandOf(value: unknown): readonly string[] | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const brand = (value as { [GITOPS_ERROR_BRAND]?: unknown })[GITOPS_ERROR_BRAND];
  return Array.isArray(brand) ? (brand as string[]) : undefined;
}

/**
 * True when `err` is a {@link GitOpsError}, optionally with the given code. It reads the brand, so
 * an error from another copy of core (its other build, another version) counts too.
 */
export function isGitOpsError(err: unknown, code?: GitOpsErrorCode): err is GitOpsError {
  return (
    brandOf(err)?.includes('GitOpsError') === true &&
    (code === undefined || (err as GitOpsError).code === code)
  );
}
