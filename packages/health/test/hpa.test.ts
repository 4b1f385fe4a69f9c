import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KubeObject, parseYaml } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { decodeHpaConditions, goJsonSyntaxError } from '../src/builtin/go-json.js';
import { assessHealth, type HealthStatus, HPA_CONDITIONS_ANNOTATION } from '../src/index.js';

// HorizontalPodAutoscaler health as Argo CD assesses it: gitops-engine's pkg/health/health_hpa.go
// in argo-cd's in-tree copy, which since argo-cd#26274 checks every condition for a degraded
// state before any healthy one (the conformance case hpa-v1-degraded-failedgetobjectmetric pins
// that). Each expectation below follows from these rules:
//   1. conditions: autoscaling/v1 from the conditions annotation (Go json.Unmarshal into
//      []hpaCondition; an absent annotation is "no conditions", an unparsable one an error);
//      v2beta1, v2beta2, v2 from status.conditions; any other version is unsupported;
//   2. the first condition whose type/reason is degraded → Degraded with its message;
//   3. else the first AbleToScale or ScalingLimited with status "True" → Healthy with its message;
//   4. else Progressing "Waiting to Autoscale". An error is Unknown with the error.

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hpa');
const load = (file: string) => parseYaml(readFileSync(join(fixtures, file), 'utf8')) as unknown as KubeObject;

// What the HPA controller writes (k8s pkg/controller/podautoscaler), as in the fixtures.
const MSG = {
  SucceededGetScale: "the HPA controller was able to get the target's current scale",
  FailedGetScale:
    'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "web" not found',
  FailedUpdateScale:
    'the HPA controller was unable to update the target scale: Operation cannot be fulfilled on deployments.apps "web": the object has been modified',
  ReadyForNewScale: 'recommended size matches current size',
  FailedGetResourceMetric:
    'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
  FailedGetPodsMetric:
    'the HPA was unable to compute the replica count: unable to get metric http_requests_per_second: unable to fetch metrics from custom metrics API: the server could not find the metric http_requests_per_second for pods',
  FailedGetObjectMetric:
    'the HPA was unable to compute the replica count: unable to get metric requests_per_second: Ingress on default web/unable to fetch metrics from custom metrics API: the server could not find the requested resource',
  FailedGetExternalMetric:
    'the HPA was unable to compute the replica count: unable to get external metric default/queue_depth/nil: unable to fetch metrics from external metrics API: the server could not find the requested resource',
  FailedComputeMetricsReplicas:
    'the HPA was unable to compute the replica count: invalid metrics (1 invalid out of 2), first error is: failed to get memory utilization: missing request for memory in container app of Pod web-7d4b9c6f5-x2x8q',
  InvalidSelector: "the HPA target's scale is missing a selector",
  TooFewReplicas: 'the desired replica count is less than the minimum replica count',
  TooManyReplicas: 'the desired replica count is more than the maximum replica count',
};

const WAITING: HealthStatus = { status: 'Progressing', message: 'Waiting to Autoscale' };
const annotationError = (err: string): HealthStatus => ({
  status: 'Unknown',
  message: `failed to convert conditions annotation to typed: ${err}`,
});

const CASES: Record<string, HealthStatus> = {
  // Rule 1, v1: no annotation, an empty list or JSON null are no conditions → rule 4.
  'v1-no-conditions-annotation.yaml': WAITING,
  'v1-empty-conditions.yaml': WAITING,
  'v1-null-conditions.yaml': WAITING,
  'v1-progressing-status-conditions-ignored.yaml': WAITING,
  // Rule 1, v1: the annotation must unmarshal; Go's error is the message.
  'v1-empty-annotation.yaml': annotationError('unexpected end of JSON input'),
  'v1-unparsable-truncated.yaml': annotationError('unexpected end of JSON input'),
  'v1-unparsable-yaml-flow.yaml': annotationError(
    "invalid character 't' looking for beginning of object key string",
  ),
  'v1-conditions-not-a-list.yaml': annotationError(
    'json: cannot unmarshal object into Go value of type []health.hpaCondition',
  ),
  'v1-condition-status-bool.yaml': annotationError(
    'json: cannot unmarshal bool into Go struct field hpaCondition.Status of type string',
  ),
  // Rule 2: each degraded type/reason gitops-engine lists, wherever it sits.
  'v1-degraded-failed-get-scale.yaml': { status: 'Degraded', message: MSG.FailedGetScale },
  'v1-degraded-failed-update-scale.yaml': { status: 'Degraded', message: MSG.FailedUpdateScale },
  // AbleToScale=True comes first; Argo CD's old first-match loop called this Healthy.
  'v1-degraded-failed-get-resource-metric.yaml': { status: 'Degraded', message: MSG.FailedGetResourceMetric },
  'v1-degraded-failed-get-pods-metric.yaml': { status: 'Degraded', message: MSG.FailedGetPodsMetric },
  'v2beta2-degraded-failed-get-object-metric.yaml': {
    status: 'Degraded',
    message: MSG.FailedGetObjectMetric,
  },
  'v2-degraded-failed-get-external-metric.yaml': { status: 'Degraded', message: MSG.FailedGetExternalMetric },
  'v2-degraded-failed-compute-metrics-replicas.yaml': {
    status: 'Degraded',
    message: MSG.FailedComputeMetricsReplicas,
  },
  'v2beta1-degraded-invalid-selector.yaml': { status: 'Degraded', message: MSG.InvalidSelector },
  // Rule 2 in list order, before the healthy ScalingLimited=True at the head of the list.
  'v1-degraded-first-of-two.yaml': { status: 'Degraded', message: MSG.InvalidSelector },
  // Rule 2 reads type and reason only: even status "True" is Degraded.
  'v1-degraded-status-not-read.yaml': { status: 'Degraded', message: MSG.FailedGetResourceMetric },
  // Rule 3: the first AbleToScale/ScalingLimited "True" gives the message.
  'v1-healthy.yaml': { status: 'Healthy', message: MSG.ReadyForNewScale },
  'v1-healthy-scaling-limited-first.yaml': { status: 'Healthy', message: MSG.TooFewReplicas },
  'v2beta1-healthy-too-many-replicas.yaml': { status: 'Healthy', message: MSG.TooManyReplicas },
  'v2-healthy.yaml': { status: 'Healthy', message: MSG.ReadyForNewScale },
  // Go matches JSON keys to hpaCondition's fields case-insensitively.
  'v1-healthy-go-field-names.yaml': { status: 'Healthy', message: MSG.ReadyForNewScale },
  // ScalingDisabled, FailedGetScale on ScalingActive and a container-resource metric failure are
  // not in the degraded list, so AbleToScale/ScalingLimited "True" decides.
  'v1-healthy-scaling-disabled.yaml': { status: 'Healthy', message: MSG.SucceededGetScale },
  'v1-healthy-reason-on-other-type.yaml': { status: 'Healthy', message: MSG.TooManyReplicas },
  'v2-healthy-container-resource-metric-failure.yaml': { status: 'Healthy', message: MSG.SucceededGetScale },
  // Rule 1, v2: the v1 annotation is not read.
  'v2-healthy-v1-annotation-ignored.yaml': { status: 'Healthy', message: MSG.ReadyForNewScale },
  // Rule 4: AbleToScale=False without a degraded reason, or "true" not "True", or no conditions.
  'v1-progressing-unable-to-scale.yaml': WAITING,
  'v1-progressing-status-lowercase.yaml': WAITING,
  'v2beta2-progressing.yaml': WAITING,
  'v2-no-status.yaml': WAITING,
  'v2-empty-conditions.yaml': WAITING,
  // Rule 1: other versions are refused as gitops-engine refuses them.
  'v2alpha1-unsupported.yaml': {
    status: 'Unknown',
    message: 'unsupported HPA GVK: autoscaling/v2alpha1, Kind=HorizontalPodAutoscaler',
  },
};

describe('HorizontalPodAutoscaler fixtures', () => {
  it('has an expectation for every fixture file and a file for every expectation', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual([...Object.keys(CASES), 'v2-conditions-not-a-list.yaml'].sort());
  });

  for (const [file, expected] of Object.entries(CASES)) {
    it(`${file} → ${expected.status}`, () => {
      expect(assessHealth(load(file))).toEqual(expected);
    });
  }

  // Only the prefix is gitops-engine's: the rest is our description of the conversion failure.
  it('reports status.conditions of the wrong type as gitops-engine names the HPA conversion', () => {
    const h = assessHealth(load('v2-conditions-not-a-list.yaml'));
    expect(h?.status).toBe('Unknown');
    expect(h?.message).toMatch(/^failed to convert unstructured HPA to typed: .*status\.conditions/);
  });
});

describe('the v1 conditions annotation, decoded as Go encoding/json', () => {
  const v1 = (annotation: unknown) =>
    ({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', annotations: { [HPA_CONDITIONS_ANNOTATION]: annotation } },
    }) as unknown as KubeObject;

  it("gives Go's syntax error for each kind of malformed input", () => {
    const cases: [string, string][] = [
      ['', 'unexpected end of JSON input'],
      ['  [ ', 'unexpected end of JSON input'],
      ['[{"type":"AbleToScale"', 'unexpected end of JSON input'],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['[{}{}]', "invalid character '{' after array element"],
      ['[{"type" "x"}]', `invalid character '"' after object key`],
      ['[{"type":"x" "reason":"y"}]', `invalid character '"' after object key:value pair`],
      ['[{"type":"x",}]', "invalid character '}' looking for beginning of object key string"],
      ["[{'type':'x'}]", "invalid character '\\'' looking for beginning of object key string"],
      ['[] []', "invalid character '[' after top-level value"],
      ['[-]', "invalid character ']' in numeric literal"],
      ['[1.]', "invalid character ']' after decimal point in numeric literal"],
      ['[1e]', "invalid character ']' in exponent of numeric literal"],
      ['1.', "invalid character ' ' after decimal point in numeric literal"],
      ['[tru]', "invalid character ']' in literal true (expecting 'e')"],
      ['[nil]', "invalid character 'i' in literal null (expecting 'u')"],
      ['["a\tb"]', "invalid character '\\t' in string literal"],
      ['["\\q"]', "invalid character 'q' in string escape code"],
      ['["\\u00g0"]', "invalid character 'g' in \\u hexadecimal character escape"],
      ['[\u0001]', "invalid character '\\x01' looking for beginning of value"],
      ['[é]', "invalid character 'Ã' looking for beginning of value"],
      ['['.repeat(10_001), "invalid character '[' exceeded max depth"],
    ];
    for (const [text, err] of cases) {
      expect(goJsonSyntaxError(text), JSON.stringify(text)).toBe(err);
      expect(assessHealth(v1(text)), JSON.stringify(text)).toEqual(annotationError(err));
    }
  });

  it("gives Go's type error for valid JSON of the wrong shape", () => {
    const cases: [string, string][] = [
      ['{}', 'json: cannot unmarshal object into Go value of type []health.hpaCondition'],
      ['"[]"', 'json: cannot unmarshal string into Go value of type []health.hpaCondition'],
      ['7', 'json: cannot unmarshal number into Go value of type []health.hpaCondition'],
      ['false', 'json: cannot unmarshal bool into Go value of type []health.hpaCondition'],
      ['[[]]', 'json: cannot unmarshal array into Go value of type health.hpaCondition'],
      ['[{}, "AbleToScale"]', 'json: cannot unmarshal string into Go value of type health.hpaCondition'],
      ['[{"type":1}]', 'json: cannot unmarshal number into Go struct field hpaCondition.Type of type string'],
      [
        '[{"message":{"text":"x"}}]',
        'json: cannot unmarshal object into Go struct field hpaCondition.Message of type string',
      ],
      // The first error in document order is the one reported.
      [
        '[{"reason":[],"status":true}]',
        'json: cannot unmarshal array into Go struct field hpaCondition.Reason of type string',
      ],
    ];
    for (const [text, err] of cases) {
      expect(decodeHpaConditions(text), text).toEqual({ error: err });
      expect(assessHealth(v1(text)), text).toEqual(annotationError(err));
    }
  });

  it('decodes as Go does: folded keys, ignored unknown keys and nulls, last duplicate wins', () => {
    const empty = { type: '', status: '', reason: '', message: '' };
    expect(decodeHpaConditions('null')).toEqual({ conditions: [] });
    expect(
      decodeHpaConditions(
        '[null, {"TYPE":"AbleToScale","ſtatus":"True","type":"ScalingLimited","reason":null,"extra":{"a":["]"]},"Message":"m"}]',
      ),
    ).toEqual({
      conditions: [empty, { type: 'ScalingLimited', status: 'True', reason: '', message: 'm' }],
    });
    // Unpaired surrogates become U+FFFD, as Go's unquote does.
    expect(decodeHpaConditions('[{"message":"a\\ud800b"}]')).toEqual({
      conditions: [{ ...empty, message: 'a\ufffdb' }],
    });
  });

  it('treats a null annotation value as the empty string the typed object holds', () => {
    expect(assessHealth(v1(null))).toEqual(annotationError('unexpected end of JSON input'));
  });
});

// A small deterministic generator (mulberry32), as in fuzz.test.ts, so a failure replays by seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HorizontalPodAutoscaler rule, differential against the gitops-engine model', () => {
  // gitops-engine's isDegraded and isHealthy tables, written out independently of src/.
  const DEGRADED: [string, string][] = [
    ['AbleToScale', 'FailedGetScale'],
    ['AbleToScale', 'FailedUpdateScale'],
    ['ScalingActive', 'FailedGetResourceMetric'],
    ['ScalingActive', 'FailedGetObjectMetric'],
    ['ScalingActive', 'FailedGetPodsMetric'],
    ['ScalingActive', 'FailedGetExternalMetric'],
    ['ScalingActive', 'FailedComputeMetricsReplicas'],
    ['ScalingActive', 'InvalidSelector'],
  ];
  type Cond = { type: string; status: string; reason: string; message: string };
  function model(conditions: Cond[]): HealthStatus {
    const degraded = conditions.find((c) => DEGRADED.some(([t, r]) => c.type === t && c.reason === r));
    if (degraded) return { status: 'Degraded', message: degraded.message };
    const healthy = conditions.find(
      (c) => (c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True',
    );
    if (healthy) return { status: 'Healthy', message: healthy.message };
    return WAITING;
  }

  const TYPES = ['AbleToScale', 'ScalingActive', 'ScalingLimited', 'Ready', 'ableToScale'];
  const STATUSES = ['True', 'False', 'Unknown', 'true', ''];
  const REASONS = [
    ...DEGRADED.map(([, r]) => r),
    'SucceededGetScale',
    'ReadyForNewScale',
    'BackoffBoth',
    'ValidMetricFound',
    'ScalingDisabled',
    'DesiredWithinRange',
    'TooFewReplicas',
    'TooManyReplicas',
    'FailedGetContainerResourceMetric',
    'failedgetscale',
  ];
  const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;

  function hpa(version: string, conditions: Cond[]): KubeObject {
    const metadata = { name: 'web', namespace: 'shop' };
    if (version === 'v1') {
      return {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { ...metadata, annotations: { [HPA_CONDITIONS_ANNOTATION]: JSON.stringify(conditions) } },
      } as unknown as KubeObject;
    }
    return {
      apiVersion: `autoscaling/${version}`,
      kind: 'HorizontalPodAutoscaler',
      metadata,
      status: { currentReplicas: 1, desiredReplicas: 1, conditions },
    } as unknown as KubeObject;
  }

  it('agrees with the model on 2,000 random condition lists, in every API version', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const conditions = Array.from({ length: Math.floor(r() * 6) }, (_, i) => ({
        type: pick(r, TYPES),
        status: pick(r, STATUSES),
        reason: pick(r, REASONS),
        message: `m${i} "quoted" ünïcode`,
      }));
      const expected = model(conditions);
      for (const version of ['v1', 'v2beta1', 'v2beta2', 'v2']) {
        expect(assessHealth(hpa(version, conditions)), `seed ${seed} ${version}`).toEqual(expected);
      }
    }
  });

  it('is Degraded for every listed reason wherever it sits among healthy conditions', () => {
    const healthy: Cond[] = [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'able' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'active' },
      { type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'limited' },
    ];
    for (const [type, reason] of DEGRADED) {
      for (let at = 0; at <= healthy.length; at++) {
        const conditions = [...healthy];
        conditions.splice(at, 0, { type, status: 'False', reason, message: reason });
        for (const version of ['v1', 'v2beta1', 'v2beta2', 'v2']) {
          expect(assessHealth(hpa(version, conditions)), `${reason} at ${at} in ${version}`).toEqual({
            status: 'Degraded',
            message: reason,
          });
        }
      }
    }
  });
});
