#!/usr/bin/env bash
# Regenerates the stringifier goldens: for every case directory under
# test/fixtures/stringify/ (an input.yaml and a kustomization.yaml), writes what
# `kubectl kustomize` (kustomize v5.5.0) prints to expected.yaml next to them.
# Deterministic: the output depends only on the inputs and the kustomize version.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$here/../test/fixtures/stringify"
want_version="v5.5.0"
version="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p')"
if [[ "$version" != "$want_version" ]]; then
  echo "regenerate-goldens: need kustomize $want_version (kubectl kustomize), found '${version:-none}'" >&2
  exit 1
fi
for dir in "$fixtures"/*/; do
  name="$(basename "$dir")"
  if ! kubectl kustomize "$dir" >"$dir/expected.yaml.tmp" 2>"$dir/error.tmp"; then
    echo "regenerate-goldens: kustomize failed on $name:" >&2
    cat "$dir/error.tmp" >&2
    rm -f "$dir/expected.yaml.tmp" "$dir/error.tmp"
    exit 1
  fi
  # kustomize's key sort is not a total order for some key sets (go-yaml v2 compares digit runs
  # numerically and non-letters before letters, which can form cycles), and Go's map order is
  # random, so such outputs vary between runs. A golden must be stable: refuse unstable cases.
  for _ in 1 2 3 4 5; do
    if ! kubectl kustomize "$dir" 2>/dev/null | cmp -s - "$dir/expected.yaml.tmp"; then
      echo "regenerate-goldens: kustomize output for $name varies between runs; fix the case" >&2
      rm -f "$dir/expected.yaml.tmp" "$dir/error.tmp"
      exit 1
    fi
  done
  mv "$dir/expected.yaml.tmp" "$dir/expected.yaml"
  rm -f "$dir/error.tmp"
  echo "regenerated $name"
done
