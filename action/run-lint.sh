#!/usr/bin/env bash
# Runs the lint for action.yml's steps: `run-lint.sh FORMAT`, with the action's inputs
# in the environment (never spliced into shell code). Exits with the lint's status.
#
#   ASYNCHECK      the `cargo-asyncheck` executable the install step built
#   INPUT_PATHS    files and directories, one per line (blank lines and the spaces
#                  around a name are dropped); none means `.`
#   INPUT_ARGS     more options, split on whitespace, without globbing or quoting
#   INPUT_FAIL_ON  `warning`, `error` or empty (the configuration's `fail-on`)
set -eo pipefail

format="$1"

paths=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  if [[ -n "$line" ]]; then paths+=("$line"); fi
done <<< "$INPUT_PATHS"
if [[ ${#paths[@]} -eq 0 ]]; then paths=(.); fi

read -r -d '' -a options <<< "$INPUT_ARGS" || true
if [[ -n "$INPUT_FAIL_ON" ]]; then options+=(--fail-on "$INPUT_FAIL_ON"); fi

exec "$ASYNCHECK" --format "$format" "${options[@]}" -- "${paths[@]}"
