#!/usr/bin/env bash
# Builds the publishable packages from clean and packs each with pnpm, which writes the
# version of every `workspace:*` dependency into the packed package.json (npm pack leaves
# `workspace:*` there, and such a tarball does not install).
# Usage: scripts/pack-packages.sh [destination directory, default packs/]
set -euo pipefail
destination="$(realpath -m "${1:-packs}")"
cd "$(dirname "$0")/.."
rm -rf packages/*/dist packages/*/tsconfig.tsbuildinfo
node_modules/.bin/tsc -b packages/policy packages/core packages/adapters
mkdir -p "$destination"
rm -f "$destination"/handrail-*.tgz
COREPACK_ENABLE_DOWNLOAD_PROMPT=0 corepack pnpm --recursive --filter './packages/*' pack --pack-destination "$destination"
