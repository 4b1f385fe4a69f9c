/**
 * The test functions a contract suite registers its tests with: vitest's (`import { describe, it,
 * expect, beforeAll, afterAll } from 'vitest'`) fit, and so do Jest's globals. Only what the suites
 * use is named, so no test framework is a dependency.
 */
export interface ContractTestApi {
  /** Groups tests. */
  describe(name: string, body: () => void): void;
  /** One test; it fails when `body` throws or rejects. */
  it(name: string, body: () => Promise<void> | void, timeoutMs?: number): void;
  /** Runs once before the tests of the enclosing group. */
  beforeAll(body: () => Promise<unknown> | unknown, timeoutMs?: number): void;
  /** Runs once after the tests of the enclosing group. */
  afterAll(body: () => Promise<unknown> | unknown, timeoutMs?: number): void;
  /** Assertions. */
  expect: ContractExpect;
}

/** `expect` as the suites use it. */
export interface ContractExpect {
  /** Assertions about `actual`; `message` names it when one fails. */
  (actual: unknown, message?: string): ContractAssertion;
  /** Matches an array holding at least these items. */
  arrayContaining(items: readonly unknown[]): unknown;
  /** Matches an object with at least these properties. */
  objectContaining(properties: Record<string, unknown>): unknown;
  /** Matches a string holding `expected`. */
  stringContaining(expected: string): unknown;
}

/** The matchers the suites use (vitest's and Jest's names and meanings). */
export interface ContractAssertion {
  /** The negated assertions. */
  readonly not: ContractAssertion;
  /** Assertions about the reason a promise rejects with. */
  readonly rejects: ContractAsyncAssertion;
  /** `Object.is` equality. */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
  /** The value has at least these properties, deeply. */
  toMatchObject(expected: object): void;
  /** The value is an instance of `expected`. */
  toBeInstanceOf(expected: unknown): void;
  /** The value is undefined. */
  toBeUndefined(): void;
  /** The value is truthy. */
  toBeTruthy(): void;
  /** The array or string holds `item`. */
  toContain(item: unknown): void;
  /** The value's `length`. */
  toHaveLength(length: number): void;
  /** The string matches. */
  toMatch(expected: string | RegExp): void;
  /** Numbers. */
  toBeGreaterThan(n: number): void;
  /** Numbers. */
  toBeGreaterThanOrEqual(n: number): void;
  /** Numbers. */
  toBeLessThan(n: number): void;
}

/** The matchers of `rejects`. */
export interface ContractAsyncAssertion {
  /** The reason is an instance of `expected`. */
  toBeInstanceOf(expected: unknown): Promise<void>;
  /** The reason has at least these properties. */
  toMatchObject(expected: object): Promise<void>;
  /** The promise rejects (with a reason matching `expected`, when given). */
  toThrow(expected?: unknown): Promise<void>;
}
