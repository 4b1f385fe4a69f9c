#!/bin/sh
# Regenerates test/fixtures/<feature>/expected.yaml with the oracle, `kubectl kustomize`
# (kustomize v5.5.0). Run from anywhere; commit the results.
set -eu
cd "$(dirname "$0")/../test/fixtures"
for dir in */; do
  dir=${dir%/}
  [ -f "$dir/kustomization.yaml" ] || continue
  kubectl kustomize "$dir" > "$dir/expected.yaml"
  echo "regenerated $dir/expected.yaml"
done
