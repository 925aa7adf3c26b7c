#!/usr/bin/env bash
# Burned-in text benchmark (not run by CI: Tesseract reads every frame, a few minutes).
#  1. TextBenchmark: detection ms per 512² frame, and line recall / false masking on the
#     generated cases (Scripts/fixtures/make-text-cases.py).
#  2. `veil anonymize --clean-pixel-data` over the generated cases and the real fake-PHI
#     ultrasounds of deid-data and pydicom-data.
#  3. Tesseract (the OCR the peers use: Presidio, dicompixelanon) reads every frame of the
#     inputs and of the outputs, looking for the PHI strings of the inputs' headers: it must
#     find some in the inputs (the check has teeth) and none in the outputs. Its seconds per
#     frame are printed next to Veil's detector, as a ratio.
# usage: Scripts/bench/text-benchmark.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
Scripts/install-dependencies.sh tesseract-ocr tesseract-ocr-eng
Scripts/prepare-test-data.sh
swift build -c release --product veil >/dev/null
swift build -c release --product TextBenchmark >/dev/null
export PYTHONPATH=TestData/python

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/release/TextBenchmark | tee "$work/veil.txt"

mkdir -p "$work/us"
for file in deid-data/ultrasounds-GREYSCALE_IMAGE deid-data/ultrasounds-RGB_IMAGE deid-data/ultrasounds-ultrasound-multiframe \
            pydicom-data/US1_UNCR pydicom-data/OBXXXX1A pydicom-data/gdcm-US-ALOKA-16 pydicom-data/color3d_jpeg_baseline; do
    cp "TestData/corpus/$file.dcm" "$work/us/"
done
for set in generated:TestData/text/text us:$work/us; do
    name=${set%%:*} folder=${set#*:}
    # PHI strings from the inputs' headers: name parts, IDs, accession, birth date as drawn.
    python3 - "$folder" > "$work/$name.phi" <<'PY'
import os, sys, pydicom
for entry in sorted(os.listdir(sys.argv[1])):
    ds = pydicom.dcmread(os.path.join(sys.argv[1], entry), stop_before_pixels=True)
    for part in str(ds.get('PatientName', '')).replace('^', ' ').split():
        print(part)
    for keyword in ('PatientID', 'AccessionNumber', 'OtherPatientIDs'):
        if ds.get(keyword): print(ds.get(keyword))
    birth = str(ds.get('PatientBirthDate', ''))
    if len(birth) == 8: print(birth[4:6] + birth[6:] + birth[:4]); print(birth)
PY
    start=$(date +%s.%N)
    .build/release/veil anonymize "$folder" -o "$work/$name-out" --clean-pixel-data --jobs 1 >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "veil anonymize --clean-pixel-data, $name set: $(python3 -c "print(f'{$end - $start:.1f}')") s on one core"
    python3 Scripts/bench/ocr-check.py "$work/$name.phi" "$folder" "$work/$name-out" | tee -a "$work/ocr.txt"
done
python3 - "$work/veil.txt" "$work/ocr.txt" <<'PY'
import re, sys
veil = float(re.search(r'detection, ms per frame \(median\): ([\d.]+)', open(sys.argv[1]).read()).group(1))
tesseract = [float(x) for x in re.findall(r'\(([\d.]+) s per frame\)', open(sys.argv[2]).read())]
if tesseract:
    t = sorted(tesseract)[len(tesseract) // 2] * 1000
    print(f'detection per frame: Veil {veil:.1f} ms, Tesseract (whole frame, CLI) {t:.0f} ms: Veil {t / veil:.0f}x faster')
PY
