import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import type { FieldCause } from './validation.js';

// ValidateSecret's switch on the type: the keys (or annotation) each built-in type requires, as
// `Required value` causes. The JSON of a dockercfg/dockerconfigjson value is not parsed here.

const required = (field: string): FieldCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});

/** The 422 causes of a Secret whose data lacks what its `type` requires; none for other kinds. */
export function secretTypeCauses(group: string, kind: string, obj: JsonObject): FieldCause[] {
  if (group !== '' || kind !== 'Secret') return [];
  const data = isJsonObject(obj.data) ? obj.data : {};
  const has = (key: string) => Object.hasOwn(data, key);
  switch (obj.type) {
    case 'kubernetes.io/service-account-token': {
      const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
      const annotations = isJsonObject(meta.annotations) ? meta.annotations : {};
      const name = annotations['kubernetes.io/service-account.name'];
      return typeof name === 'string' && name !== ''
        ? []
        : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    }
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? [] : [required('data[.dockercfg]')];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? [] : [required('data[.dockerconfigjson]')];
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one must be there.
      return has('username') || has('password')
        ? []
        : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth': {
      const key = data['ssh-privatekey'];
      return typeof key === 'string' && key !== '' ? [] : [required('data[ssh-privatekey]')];
    }
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [required('data[tls.crt]')]),
        ...(has('tls.key') ? [] : [required('data[tls.key]')]),
      ];
    default:
      return [];
  }
}
