#!/usr/bin/env bash
# Every C++ file of the repository follows .clang-format (clang-format 14, Debian 12).
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format is missing: scripts/bootstrap installs it" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp')
else
  mapfile -t files < <(find harness kernels variants counters tests examples -name '*.cpp' -o -name '*.hpp')
fi
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files follow .clang-format"
