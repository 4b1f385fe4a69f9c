import type { JsonObject, KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  diff,
  listKeysOf,
  ownedFields,
  parseFieldsV1,
  projectFields,
  removeFields,
  revertUnowned,
} from '../src/index.js';

const fieldsV1 = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:name': {} } },
    'f:finalizers': { 'v:"a"': {} },
    'f:selector': {},
  },
};
const value: JsonObject = {
  metadata: { labels: { app: 'x', other: 'y' } },
  spec: {
    ports: [
      { port: 80, protocol: 'TCP', name: 'http', targetPort: 8080 },
      { port: 81, name: 'other' },
    ],
    finalizers: ['a', 'b'],
    selector: { app: 'x' },
    type: 'ClusterIP',
  },
};

describe('managed fields', () => {
  it('projects the owned part of an object, key fields included', () => {
    expect(projectFields(value, parseFieldsV1(fieldsV1))).toEqual({
      metadata: { labels: { app: 'x' } },
      spec: {
        ports: [{ port: 80, protocol: 'TCP', name: 'http' }],
        finalizers: ['a'],
        selector: { app: 'x' },
      },
    });
    expect(listKeysOf(parseFieldsV1(fieldsV1))).toEqual({
      'spec.ports': { keys: ['port', 'protocol'] },
      'spec.finalizers': { set: true },
    });
  });

  it('removes owned fields; elements owned whole go, key fields stay', () => {
    const copy = structuredClone(value);
    removeFields(
      copy,
      parseFieldsV1({
        'f:spec': {
          'f:ports': { 'k:{"port":81,"protocol":"TCP"}': { 'f:name': {}, 'f:port': {} } },
          'f:type': {},
        },
      }),
    );
    expect(copy.spec).toEqual({
      ports: [{ port: 80, protocol: 'TCP', name: 'http', targetPort: 8080 }, { port: 81 }],
      finalizers: ['a', 'b'],
      selector: { app: 'x' },
    });
  });

  it('selects managers, operations and excludes status entries', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        managedFields: [
          { manager: 'me', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:type': {} } } },
          { manager: 'me', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } },
          { manager: 'other', operation: 'Update', fieldsV1: { 'f:metadata': {} } },
        ],
      },
    } as unknown as KubeObject;
    expect([...(ownedFields(obj, { managers: ['me'] })?.fields.keys() ?? [])]).toEqual(['spec']);
    expect([...(ownedFields(obj, { managers: ['me'], exclude: true })?.fields.keys() ?? [])]).toEqual([
      'metadata',
    ]);
    expect(ownedFields(obj, { managers: ['me'], operation: 'Update' })).toBeUndefined();
  });

  it('reverts unowned changes of a dry run to live, keeps what we removed removed', () => {
    const live = { metadata: { labels: { app: 'x', ours: 'old', theirs: 't' } }, spec: { a: 1, b: 2 } };
    const dry = {
      metadata: { labels: { app: 'x', theirs: 'webhook', injected: 'y' } },
      spec: { a: 5, b: 9 },
    };
    const ownedNow = parseFieldsV1({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:a': {} },
    });
    const ownedBefore = parseFieldsV1({
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:ours': {} } },
      'f:spec': { 'f:a': {} },
    });
    expect(revertUnowned(dry, live, ownedNow, ownedBefore)).toEqual({
      metadata: { labels: { app: 'x', theirs: 't' } },
      spec: { a: 5, b: 2 },
    });
  });

  it('structured merge keeps a field another manager co-owns when we stop applying it', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        managedFields: [
          { manager: 'gitops-kit', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } },
          { manager: 'someone', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } },
        ],
      },
      data: { a: '1', b: '2' },
    } as unknown as KubeObject;
    const desired = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } as KubeObject;
    const result = diff(desired, live, { strategy: 'structured-merge' });
    expect(result.predictedLive?.data).toEqual({ b: '2' });
    expect(result.changes.map((c) => c.pointer)).toEqual(['/data/a']);
  });
});
