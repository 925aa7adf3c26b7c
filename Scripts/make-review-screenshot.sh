#!/usr/bin/env bash
# Makes docs/review.png, the picture of a `veil review` page in docs/review.md: de-identifies
# SampleScans/ with a throwaway key, writes the review page, and has headless Chromium (Debian
# `chromium`, installed when missing) draw it. The same command the tests use to open the page.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev chromium
swift build --product veil
veil=.build/debug/veil
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$veil" keygen "$work/sample.key" >/dev/null
"$veil" anonymize SampleScans -o "$work/out" --key-file "$work/sample.key" --review --progress none >/dev/null
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --window-size=1280,2400 --screenshot="$work/review.png" \
    "file://$work/out/review.html" 2>/dev/null
mv "$work/review.png" docs/review.png
echo "wrote docs/review.png"
