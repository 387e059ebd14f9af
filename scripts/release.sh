#!/usr/bin/env bash
# Publishes every package whose version is not on the registry yet, from a clean build.
# `changeset publish` runs `pnpm publish` (which writes the version of each `workspace:*`
# dependency into the published package.json), so pnpm itself must be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null; then
  echo 'release: changeset publish runs pnpm: put it on PATH first (corepack enable, or npm install -g pnpm@10.34.9)' >&2
  exit 1
fi
bash scripts/pack-packages.sh
node_modules/.bin/changeset publish
