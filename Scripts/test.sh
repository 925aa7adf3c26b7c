#!/usr/bin/env bash
# The test command: installs what the tests need (DCMTK's library and tools, dicom3tools for
# dciodvfy), fetches the public test corpus from PyPI and plants fake PHI in it (once), then
# runs every test against real DCMTK on real files.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh libdcmtk-dev dcmtk dicom3tools
python3 -m pip --version >/dev/null 2>&1 || Scripts/install-dependencies.sh python3 python3-pip
Scripts/fetch-test-corpus.sh
swift test "$@"
