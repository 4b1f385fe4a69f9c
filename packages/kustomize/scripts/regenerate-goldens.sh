#!/bin/sh
# Regenerates test/fixtures/<feature>/expected.yaml with the oracle, `kubectl kustomize`
# (kustomize v5.5.0). Run from anywhere; commit the results.
set -eu
cd "$(dirname "$0")/../test/fixtures"
# kubectl's refusal, without its log prefix (time, process id), its deprecation warnings and the
# addresses Go prints for pointers and a panic's stack, which change from run to run.
refusal() { sed -E -e '/^# Warning/d' -e 's/^E[0-9]{4} [0-9:.]+ +[0-9]+ [a-z_]+\.go:[0-9]+\] //' -e 's/0xc[0-9a-f]{6,}/0xc…/g' -e '/^goroutine /,$d'; }
for dir in */; do
  dir=${dir%/}
  [ -f "$dir/kustomization.yaml" ] || continue
  # A feature kubectl refuses keeps its refusal as expected-error.txt.
  rm -f "$dir/expected-error.txt"
  if kubectl kustomize "$dir" > "$dir/expected.yaml" 2> "$dir/stderr.txt"; then
    echo "regenerated $dir/expected.yaml"
  else
    rm -f "$dir/expected.yaml"
    refusal < "$dir/stderr.txt" > "$dir/expected-error.txt"
    echo "regenerated $dir/expected-error.txt"
  fi
  rm -f "$dir/stderr.txt"
done
# The fuzzer's goldens (test/fixtures/fuzz/<name>/): render fuzz.json's root; a refusal is kept as
# expected-error.txt.
for dir in fuzz/*/; do
  dir=${dir%/}
  [ -f "$dir/fuzz.json" ] || continue
  root=$(node -p "require('./$dir/fuzz.json').root")
  rm -f "$dir/expected.yaml" "$dir/expected-error.txt"
  if kubectl kustomize "$dir/$root" > "$dir/expected.yaml" 2> "$dir/stderr.txt"; then
    :
  else
    rm -f "$dir/expected.yaml"
    # Without the log prefix, and without where this checkout lives, so it regenerates byte for byte.
    refusal < "$dir/stderr.txt" | sed -e "s#$(pwd)/##g" > "$dir/expected-error.txt"
  fi
  rm -f "$dir/stderr.txt"
  echo "regenerated $dir"
done
