#!/bin/sh
# The image's build steps: install, compile, drop the development packages.
set -eu
npm ci --no-audit --no-fund
npm run build
npm prune --omit=dev --no-audit --no-fund
test -f dist/cli/main.js
