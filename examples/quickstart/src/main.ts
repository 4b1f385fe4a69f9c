// The README's first command. For now it runs the first stage of the pipeline on the embedded
// default: render the `dev` overlay of examples/deploy-repo in process (the same bytes as
// `kubectl kustomize`) and print a summary and the manifests.
import { describeObjectKey, isGitOpsError, objectKeyOf } from '@gitops-kit/core';
import { renderOverlay } from './render-overlay.js';

const overlay = process.argv[2] ?? 'dev';
try {
  const result = await renderOverlay(overlay);
  console.log(`# rendered examples/deploy-repo/${overlay}: ${result.objects.length} objects`);
  result.objects.forEach((obj, i) => {
    const src = result.sources[i];
    console.log(`#   ${describeObjectKey(objectKeyOf(obj))}${src ? `  (from ${src.file}${src.line ? `:${src.line}` : ''})` : ''}`);
  });
  for (const w of result.warnings) console.log(`# warning: ${w.message}`);
  process.stdout.write(result.yaml);
} catch (err) {
  console.error(isGitOpsError(err) ? `error [${err.code}]: ${err.message}` : err);
  process.exitCode = 1;
}
