#!/usr/bin/env bash
# The test command: installs what the tests need (DCMTK's library and tools, dicom3tools for
# dciodvfy, dcm2niix, Tesseract for the OCR look at burned-in text, Chromium to open the review
# page, Orthanc and its DICOMweb plugin as the PACS of the network tests, openssl for their TLS
# certificates), builds every test fixture into TestData/ (Scripts/prepare-test-data.sh, once),
# then runs every test against real DCMTK on real files. Without arguments it also checks that the
# committed tables match the standard's sources (Scripts/generate/generate-tables.py --check) and
# runs the shim's tests again under AddressSanitizer and UndefinedBehaviorSanitizer
# (Scripts/test-sanitized.sh).
# Arguments go to `swift test` (e.g. --filter RobustnessTests) and skip the table check and the
# sanitized run.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev libdlib-dev liblapack-dev libblas-dev dcmtk dicom3tools dcm2niix \
    tesseract-ocr tesseract-ocr-eng strace orthanc orthanc-dicomweb openssl curl chromium
python3 -m pip --version >/dev/null 2>&1 || Scripts/install-dependencies.sh python3 python3-pip
if [[ $# -eq 0 ]]; then
    python3 Scripts/generate/generate-tables.py --check
fi
Scripts/prepare-test-data.sh
# The pixel algorithms with -O even in this debug build (see Package.swift).
export VEIL_OPTIMIZE_DEBUG=1
swift test "$@"
if [[ $# -eq 0 ]]; then
    Scripts/test-sanitized.sh --shim
fi
