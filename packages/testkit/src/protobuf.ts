import type { JsonObject, JsonValue } from '@gitops-kit/core';

// kubectl's typed generators (`kubectl create namespace|configmap|secret`) send their objects as
// Kubernetes protobuf, with no JSON fallback. This decodes the envelope and the few small kinds those
// commands create; anything else is answered 415 by the caller.

type Field = { num: number; wire: number; value: bigint | Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ num, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error('truncated field');
      out.push({ num, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) {
      out.push({ num, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ num, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (v: bigint | Buffer): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const bytes = (v: bigint | Buffer): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));

function mapEntry(v: bigint | Buffer, binary: boolean): [string, string] {
  let key = '';
  let value = '';
  for (const f of fields(bytes(v))) {
    if (f.num === 1) key = str(f.value);
    if (f.num === 2) value = binary ? bytes(f.value).toString('base64') : str(f.value);
  }
  return [key, value];
}

function objectMeta(buf: Buffer): JsonObject {
  const meta: JsonObject = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  for (const f of fields(buf)) {
    if (f.num === 1) meta.name = str(f.value);
    else if (f.num === 2) meta.generateName = str(f.value);
    else if (f.num === 3) meta.namespace = str(f.value);
    else if (f.num === 11) {
      const [k, v] = mapEntry(f.value, false);
      labels[k] = v;
    } else if (f.num === 12) {
      const [k, v] = mapEntry(f.value, false);
      annotations[k] = v;
    } else if (f.num === 14) finalizers.push(str(f.value));
  }
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

function decodeKind(apiVersion: string, kind: string, raw: Buffer): JsonObject | undefined {
  const obj: JsonObject = { apiVersion, kind, metadata: {} };
  const data: Record<string, string> = {};
  const binary: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  const nsFinalizers: string[] = [];
  const key = `${apiVersion}/${kind}`;
  if (key !== 'v1/ConfigMap' && key !== 'v1/Secret' && key !== 'v1/Namespace' && key !== 'v1/ServiceAccount')
    return undefined;
  for (const f of fields(raw)) {
    if (f.num === 1) obj.metadata = objectMeta(bytes(f.value));
    else if (key === 'v1/ConfigMap') {
      if (f.num === 2) {
        const [k, v] = mapEntry(f.value, false);
        data[k] = v;
      } else if (f.num === 3) {
        const [k, v] = mapEntry(f.value, true);
        binary[k] = v;
      } else if (f.num === 4) obj.immutable = f.value !== 0n;
    } else if (key === 'v1/Secret') {
      if (f.num === 2) {
        const [k, v] = mapEntry(f.value, true);
        data[k] = v;
      } else if (f.num === 3 && str(f.value) !== '') obj.type = str(f.value);
      else if (f.num === 4) {
        const [k, v] = mapEntry(f.value, false);
        stringData[k] = v;
      } else if (f.num === 5) obj.immutable = f.value !== 0n;
    } else if (key === 'v1/Namespace' && f.num === 2) {
      for (const s of fields(bytes(f.value))) if (s.num === 1) nsFinalizers.push(str(s.value));
    } else if (key === 'v1/ServiceAccount' && f.num === 5) obj.automountServiceAccountToken = f.value !== 0n;
  }
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binary).length > 0) obj.binaryData = binary;
  if (Object.keys(stringData).length > 0) obj.stringData = stringData;
  if (nsFinalizers.length > 0) obj.spec = { finalizers: nsFinalizers };
  return obj;
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body (`k8s\0` + runtime.Unknown) of a ConfigMap,
 * Secret, Namespace or ServiceAccount to JSON; undefined for other kinds or malformed bodies.
 */
export function decodeKubernetesProtobuf(body: Buffer): JsonValue | undefined {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000') return undefined;
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Buffer | undefined;
    for (const f of fields(body.subarray(4))) {
      if (f.num === 1) {
        for (const t of fields(bytes(f.value))) {
          if (t.num === 1) apiVersion = str(t.value);
          if (t.num === 2) kind = str(t.value);
        }
      } else if (f.num === 2) raw = bytes(f.value);
    }
    return raw ? decodeKind(apiVersion, kind, raw) : undefined;
  } catch {
    return undefined;
  }
}
