#!/usr/bin/env bash
# The main job on the shipped samples: builds Veil and de-identifies SampleScans/ into
# SampleOutput/ with a key kept beside the repository (.veil-sample.key, created once).
# Installs libdcmtk-dev first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev libdlib-dev liblapack-dev libblas-dev
swift build -c release --product veil
veil=.build/release/veil

[[ -f .veil-sample.key ]] || "$veil" keygen .veil-sample.key
rm -rf SampleOutput
"$veil" anonymize SampleScans --output SampleOutput --key-file .veil-sample.key "$@"

echo
echo "De-identified files:"
find SampleOutput -name '*.dcm' | sort | sed 's/^/  /'
echo "Audit manifest: SampleOutput/manifest.jsonl (first record: the run; then one per input file)"
