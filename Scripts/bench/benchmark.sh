#!/usr/bin/env bash
# Benchmark: builds Veil in release mode, installs the peers (gdcmanon from libgdcm-tools, dcmanon
# from PyPI into the work folder) and times them on a generated corpus of 512x512 CT slices
# (default 2,000). Not run by CI.
# usage: Scripts/bench/benchmark.sh [--files N] [--rounds R] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev libgdcm-tools openssl
swift build -c release --product veil
exec python3 Scripts/bench/benchmark.py "$@"
