/** A request verb as the authorizer and fault injector see it. */
export type RequestVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

/** One fault rule: which requests it hits and what happens to them. */
export interface FaultRule {
  /** Verbs hit; all when absent. */
  verbs?: RequestVerb[] | undefined;
  /** Plural resource names hit (`deployments`); all when absent. */
  resources?: string[] | undefined;
  /** Probability in [0, 1] that a matching request is hit; 1 when absent. */
  rate?: number | undefined;
  /** Hit only this many requests, then the rule retires; unlimited when absent. */
  times?: number | undefined;
  /** Answer with this status instead of serving: 500, 503, 429 (with Retry-After) or 409. */
  status?: 500 | 503 | 429 | 409 | 504 | undefined;
  /** `Retry-After` seconds sent with 429 and 503; 1 when absent. */
  retryAfterSeconds?: number | undefined;
  /** Delay before the request is handled. */
  latencyMs?: number | undefined;
  /** Destroy the connection without answering. */
  drop?: boolean | undefined;
  /**
   * Serve the request (a write is applied, a read answered in full on the server), then destroy the
   * connection instead of sending the answer: the client sees a dropped connection for a request
   * that took effect, as when a proxy or the network loses the response.
   */
  dropAnswer?: boolean | undefined;
}

/** What the fault injector decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  dropAnswer: boolean;
  status: number | undefined;
  retryAfterSeconds: number;
}

/**
 * Fault injection with a seeded random source, so a test that sets a rate sees the same sequence of
 * failures on every run.
 */
export class FaultInjector {
  private rules: Array<FaultRule & { used: number }> = [];
  private seed: number;
  /** How many requests each rule has hit, by index, for assertions. */
  hits = 0;

  constructor(seed = 42) {
    this.seed = seed >>> 0 || 1;
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const entry = { ...rule, used: 0 };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((r) => r !== entry);
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  private random(): number {
    // xorshift32: deterministic and good enough for picking which requests fail.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 0x100000000;
  }

  /** Decides what happens to a request. */
  decide(verb: RequestVerb, resource: string | undefined): FaultDecision {
    const out: FaultDecision = {
      latencyMs: 0,
      drop: false,
      dropAnswer: false,
      status: undefined,
      retryAfterSeconds: 1,
    };
    for (const rule of this.rules) {
      if (rule.verbs && !rule.verbs.includes(verb)) continue;
      if (rule.resources && (!resource || !rule.resources.includes(resource))) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.used++;
      this.hits++;
      out.latencyMs += rule.latencyMs ?? 0;
      if (rule.drop) out.drop = true;
      if (rule.dropAnswer) out.dropAnswer = true;
      if (rule.status !== undefined && out.status === undefined) {
        out.status = rule.status;
        out.retryAfterSeconds = rule.retryAfterSeconds ?? 1;
      }
    }
    return out;
  }
}
