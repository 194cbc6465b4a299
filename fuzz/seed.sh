#!/usr/bin/env bash
# Seeds the lint_bytes corpus with the repository's Rust fixtures (rule fixtures and demo crates).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=fuzz/corpus/lint_bytes
mkdir -p "$corpus"
shopt -s globstar nullglob
count=0
for file in lint/tests/fixtures/*.rs tests/fixtures/**/*.rs; do
    # Flatten the path into a unique name: tests/fixtures/a/src/lib.rs -> tests_fixtures_a_src_lib.rs
    cp "$file" "$corpus/${file//\//_}"
    count=$((count + 1))
done
echo "seeded $corpus with $count files"
