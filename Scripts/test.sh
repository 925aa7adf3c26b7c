#!/usr/bin/env bash
# The test command: installs what the tests need (DCMTK's library and tools, dicom3tools for
# dciodvfy, dcm2niix, Tesseract for the OCR look at burned-in text), fetches the public test
# corpus from PyPI and plants fake PHI in it (once), then runs every test against real DCMTK on
# real files, and then (without arguments) the shim's tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer (Scripts/test-sanitized.sh).
# Arguments go to `swift test` (e.g. --filter RobustnessTests) and skip the sanitized run.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev dcmtk dicom3tools dcm2niix \
    tesseract-ocr tesseract-ocr-eng strace
python3 -m pip --version >/dev/null 2>&1 || Scripts/install-dependencies.sh python3 python3-pip
Scripts/fetch-test-corpus.sh
# The pixel algorithms with -O even in this debug build (see Package.swift).
export VEIL_OPTIMIZE_DEBUG=1
swift test "$@"
if [[ $# -eq 0 ]]; then
    Scripts/test-sanitized.sh --shim
fi
