// The parts of an Application spec that act between fetch and apply, as Flux's Kustomization has
// them: SOPS decryption (`spec.decryption`) and variable substitution (`spec.postBuild`).
import { z } from 'zod';

// Flux's rule for variable names, in a form the API server's CEL (RE2) accepts too.
const VARIABLE_NAME_PATTERN = '^[_A-Za-z][_A-Za-z0-9]*$';

/** Decryption of SOPS-encrypted files and Secrets, as Flux's Kustomization `spec.decryption`. */
export const decryptionSchema = z
  .object({
    provider: z.enum(['sops']).meta({ description: 'The decryption provider; only `sops`.' }),
    secretRef: z
      .object({
        name: z.string().min(1).meta({ description: 'Name of a Secret in the Application namespace.' }),
      })
      .optional()
      .meta({
        description:
          "The Secret holding the keys: `*.agekey` entries are age key files, `*.asc` entries armored PGP private keys (Flux's layout).",
      }),
  })
  .meta({ description: 'Decrypt SOPS-encrypted files before the build and encrypted Secrets after it.' });

/** Where post-build variables come from: every data entry of a ConfigMap or Secret. */
export const substituteReferenceSchema = z
  .object({
    kind: z.enum(['ConfigMap', 'Secret']),
    name: z.string().min(1).meta({ description: 'Name of the object, in the Application namespace.' }),
    optional: z
      .boolean()
      .optional()
      .meta({ description: 'A missing object is skipped rather than an error.' }),
  })
  .meta({ description: 'A ConfigMap or Secret whose data entries are variables.' });

/** Variable substitution in the rendered objects, as Flux's Kustomization `spec.postBuild`. */
export const postBuildSchema = z
  .object({
    substitute: z
      .record(z.string(), z.string())
      .refine((vars) => Object.keys(vars).every((k) => new RegExp(VARIABLE_NAME_PATTERN).test(k)), {
        message: `variable names must match ${VARIABLE_NAME_PATTERN}`,
      })
      .optional()
      .meta({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Flux's variable syntax, not a template
        description: 'Variables for `${var}` expressions; they win over substituteFrom.',
        'x-kubernetes-validations': [
          {
            rule: `self.all(k, k.matches('${VARIABLE_NAME_PATTERN}'))`,
            message: `variable names must match ${VARIABLE_NAME_PATTERN}`,
          },
        ],
      }),
    substituteFrom: z
      .array(substituteReferenceSchema)
      .optional()
      .meta({ description: 'ConfigMaps and Secrets to read variables from, later ones winning.' }),
    strict: z
      .boolean()
      .optional()
      .meta({ description: 'Fail the render on a variable that is not set and has no default.' }),
  })
  .meta({
    description:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Flux's variable syntax, not a template
      'Substitute `${var}`, `${var:=default}` in the rendered objects (not in those labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`).',
  });

/** `spec.decryption` of an Application. */
export type ApplicationDecryption = z.infer<typeof decryptionSchema>;
/** `spec.postBuild` of an Application. */
export type ApplicationPostBuild = z.infer<typeof postBuildSchema>;
