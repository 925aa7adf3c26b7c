#!/usr/bin/env bash
# Runs the tests under AddressSanitizer (Swift and the C++ shim) and UndefinedBehaviorSanitizer
# (the C++ shim: Swift has no UBSan on Linux, and checks its own arithmetic and bounds anyway),
# with LeakSanitizer on. A separate build in .build/sanitized.
#
# usage: Scripts/test-sanitized.sh           every test
#        Scripts/test-sanitized.sh --shim    the tests that drive the shim hardest: file reading
#                                            and writing, malformed and hostile inputs (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."

filter=()
if [[ ${1:-} == --shim ]]; then
    filter=(--filter 'DICOMIOTests|RobustnessTests')
fi
Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev libdlib-dev liblapack-dev libblas-dev dcmtk dicom3tools
python3 -m pip --version >/dev/null 2>&1 || Scripts/install-dependencies.sh python3 python3-pip
Scripts/prepare-test-data.sh

sanitizers=(--sanitize=address -Xcxx -fsanitize=undefined -Xcxx -fno-sanitize=vptr -Xcxx -fno-sanitize-recover=undefined)
swift build --build-tests --build-path .build/sanitized "${sanitizers[@]}"
# The quarantine is kept small so that the memory-bound tests measure Veil, not the sanitizer.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=32:abort_on_error=0:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/Scripts/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
swift test --skip-build --build-path .build/sanitized "${sanitizers[@]}" "${filter[@]}"
