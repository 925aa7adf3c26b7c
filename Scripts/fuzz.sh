#!/usr/bin/env bash
# Fuzzes Veil's path for one file (the structure check from memory and from the file, DCMTK parse,
# de-identification with every option, write, re-read: Fuzz/VeilFuzz) with libFuzzer under
# AddressSanitizer. Not run by CI.
#
# usage: Scripts/fuzz.sh [seconds] [jobs]        (defaults: 600 seconds, 1 job)
#
# Seeds: the sample scans, the small public test files and the malformed corpus. New coverage
# goes to Fuzz/corpus/ (not committed); crashes, leaks and timeouts to Fuzz/findings/. Keep each
# finding, once fixed, in Tests/Fixtures/fuzz-regressions/: the tests replay them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
jobs=${2:-1}

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev libdlib-dev liblapack-dev libblas-dev
Scripts/prepare-test-data.sh
VEIL_FUZZ=1 swift build --product VeilFuzz --sanitize=fuzzer --sanitize=address --build-path .build/fuzz

seeds=Fuzz/seeds
if [[ ! -d $seeds ]]; then
    mkdir -p "$seeds"
    find SampleScans TestData/corpus TestData/malformed/cases Tests/Fixtures/fuzz-regressions -type f -size -96k -print0 2>/dev/null |
        while IFS= read -r -d '' file; do cp "$file" "$seeds/$(sha1sum < "$file" | cut -c1-16)"; done
fi
mkdir -p Fuzz/corpus Fuzz/findings
# DCMTK is not instrumented and keeps its data dictionary for the life of the process: leaks are
# not checked. Swift's runtime allocates its metadata caches once: same.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    .build/fuzz/debug/VeilFuzz Fuzz/corpus "$seeds" -dict=Fuzz/dicom.dict -max_len=131072 -timeout=10 \
    -rss_limit_mb=2048 -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" \
    -artifact_prefix=Fuzz/findings/ -print_final_stats=1
