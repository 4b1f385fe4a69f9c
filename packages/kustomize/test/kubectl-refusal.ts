/**
 * kubectl's message in a golden's expected-error.txt (klog's `err="…"`, or `err=<` and indented
 * lines), up to its first ": ": the part kustomize itself words, before the causes it wraps. The
 * prefix naming the Go value a decoding failed into is dropped: we have no such value.
 */
export function kubectlMessage(refusal: string): string {
  const quoted = /err="(.*)"$/m.exec(refusal);
  const text = quoted ? (JSON.parse(`"${quoted[1]}"`) as string) : (refusal.split('\n')[1] ?? '').trim();
  return text.replace(/^map\[string\]interface \{\}\(nil\): yaml: /, '').split(': ')[0] as string;
}
