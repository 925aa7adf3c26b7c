#!/usr/bin/env bash
# Builds every fixture the tests load into TestData/ (ignored by git). The tests never build a
# fixture themselves: a missing one fails them with a message naming this script.
#
#   corpus/, planted/   public test files from PyPI (pydicom, pydicom-data, deid-data) and copies
#                       of them with fake PHI planted (Scripts/fixtures/plant-phi.py)
#   python/             pydicom, nibabel and Pillow, unpacked from their wheels (no pip install)
#   volumes/            series with known geometry (Scripts/fixtures/make-volume-cases.py)
#   heads/              head series with faces, from pydeface's average head
#                       (Scripts/fixtures/make-head-series.py; numpy and scipy)
#   text/               images with fake PHI drawn in (Scripts/fixtures/make-text-cases.py; Pillow,
#                       DejaVu fonts)
#   malformed/          malformed and hostile inputs (Scripts/fixtures/make-malformed-corpus.py)
#   colour/             deid-data's RGB ultrasound as RLE YBR_FULL (Scripts/fixtures/make-colour-cases.py)
#   generated-400-128/  a synthetic CT export, 400 slices of 128² (Scripts/fixtures/make-benchmark-corpus.py)
#
# Idempotent: each fixture is rebuilt only when the file its generator writes last is missing.
# --force rebuilds them all. Everything fetched is public test data with fake or no patient
# information; everything generated is synthetic.
#
# usage: Scripts/prepare-test-data.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=TestData
PYTHON=${PYTHON:-python3}
FORCE=${1:-}
mkdir -p "$DATA/downloads"

# True when the fixture whose last-written file is $1 must be (re)built.
needed() { [[ ! -e "$1" || $FORCE == --force ]]; }

# The generators, with the unpacked wheels on the path (pip itself runs without them).
generate() { PYTHONPATH="$DATA/python" "$PYTHON" "$@"; }

unpack_wheel() { # wheel-file folder
    "$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}

# pydeface's wheel (MIT): its average head is the source of the head series and text cases.
pydeface_wheel() {
    ls "$DATA"/downloads/pydeface-2.1.0-*.whl 2>/dev/null | head -n 1 && return 0
    "$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" pydeface==2.1.0 >&2
    ls "$DATA"/downloads/pydeface-2.1.0-*.whl | head -n 1
}

need_numpy_scipy() {
    "$PYTHON" -c 'import numpy, scipy' 2>/dev/null && return 0
    Scripts/install-dependencies.sh python3-numpy python3-scipy || true
    "$PYTHON" -c 'import numpy, scipy' 2>/dev/null ||
        "$PYTHON" -m pip install --quiet numpy scipy 2>/dev/null ||
        "$PYTHON" -m pip install --quiet --break-system-packages numpy scipy
}

# The public corpus and its planted copies; pydicom (pure Python) is unpacked for the scripts.
if needed "$DATA/planted/manifest.json"; then
    "$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" \
        pydicom==3.0.2 pydicom-data==1.0.0 deid-data==0.0.20
    rm -rf "$DATA/python"
    unpack_wheel "$(ls "$DATA"/downloads/pydicom-3.0.2-*.whl)" "$DATA/python"

    rm -rf "$DATA/corpus"
    mkdir -p "$DATA/corpus/pydicom" "$DATA/corpus/pydicom-data" "$DATA/corpus/deid-data"
    "$PYTHON" - "$DATA" <<'PY'
import os, sys, tarfile, zipfile
data = sys.argv[1]
downloads = os.path.join(data, "downloads")

def extract_zip(archive, prefix, target):
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            if name.startswith(prefix) and (name.endswith(".dcm") or name.endswith("dicomdirtests/DICOMDIR")):
                out = os.path.join(target, os.path.basename(name))
                with open(out, "wb") as f:
                    f.write(z.read(name))

for entry in os.listdir(downloads):
    path = os.path.join(downloads, entry)
    if entry.startswith("pydicom-") and entry.endswith(".whl"):
        extract_zip(path, "pydicom/data/test_files/", os.path.join(data, "corpus", "pydicom"))
    elif entry.startswith("pydicom_data-") and entry.endswith(".whl"):
        extract_zip(path, "data_store/data/", os.path.join(data, "corpus", "pydicom-data"))
    elif entry.startswith("deid-data-") and entry.endswith(".tar.gz"):
        with tarfile.open(path) as t:
            for member in t.getmembers():
                if member.isfile() and member.name.endswith(".dcm"):
                    parts = member.name.split("/")
                    out = os.path.join(data, "corpus", "deid-data", "-".join(parts[-2:]))
                    with open(out, "wb") as f:
                        f.write(t.extractfile(member).read())
PY
    generate Scripts/fixtures/plant-phi.py "$DATA/corpus" "$DATA/planted"
fi

need_numpy_scipy

# nibabel (and what it needs besides numpy) for Scripts/testing/compare-nifti.py: pure Python.
if needed "$DATA/python/nibabel"; then
    "$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" \
        nibabel==5.3.2 packaging==24.2 importlib_resources==6.4.5 zipp==3.21.0
    for wheel in nibabel-5.3.2 packaging-24.2 importlib_resources-6.4.5 zipp-3.21.0; do
        unpack_wheel "$(ls "$DATA"/downloads/$wheel-*.whl)" "$DATA/python"
    done
fi

# nibabel's real scanner files (Siemens mosaics with their CSA headers, a Philips MPRAGE slice)
# join the toolkits' files in the vendor corpus, uncompressed.
if needed "$DATA/corpus-nibabel.complete"; then
    rm -rf "$DATA/corpus/nibabel"
    mkdir -p "$DATA/corpus/nibabel"
    nicom="$DATA/python/nibabel/nicom/tests/data"
    cp "$nicom"/*.dcm "$DATA/corpus/nibabel/"
    for archive in "$nicom"/*.dcm.gz; do gunzip -c "$archive" > "$DATA/corpus/nibabel/$(basename "$archive" .gz)"; done
    touch "$DATA/corpus-nibabel.complete"
fi

if needed "$DATA/colour/us-ybr-full-rle.dcm"; then
    generate Scripts/fixtures/make-colour-cases.py "$DATA/corpus/deid-data/ultrasounds-RGB_IMAGE.dcm" "$DATA/colour"
fi

if needed "$DATA/volumes/complete-v2"; then
    generate Scripts/fixtures/make-volume-cases.py "$DATA/volumes"
fi

if needed "$DATA/heads/complete"; then
    generate Scripts/fixtures/make-head-series.py "$(pydeface_wheel)" "$DATA/heads" 32 >/dev/null
fi

# Pillow (binary wheel for this Python) draws the text cases; Scripts/bench/ocr-check.py reads with it.
if needed "$DATA/python/PIL"; then
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$DATA/downloads" pillow==13.0.0
    unpack_wheel "$(ls "$DATA"/downloads/pillow-13.0.0-*.whl | head -n 1)" "$DATA/python"
fi

if needed "$DATA/text/complete"; then
    Scripts/install-dependencies.sh fonts-dejavu-core || true  # DejaVu fonts for the drawn PHI
    generate Scripts/fixtures/make-text-cases.py "$(pydeface_wheel)" "$DATA/text" 80
fi

# make-malformed-corpus.py writes expected.json last; a half-made folder is removed first
# (it holds a named pipe and symbolic links that a rerun would trip over).
if needed "$DATA/malformed/expected.json"; then
    rm -rf "$DATA/malformed"
    generate Scripts/fixtures/make-malformed-corpus.py "$DATA/malformed" >/dev/null
fi

# The synthetic export of the batch-scale tests (GeneratedCorpus.folder(files: 400, size: 128));
# its marker sits beside it, because the tests walk the folder itself.
if needed "$DATA/generated-400-128.complete"; then
    rm -rf "$DATA/generated-400-128" "$DATA/generated-400-128.complete"
    generate Scripts/fixtures/make-benchmark-corpus.py "$DATA/generated-400-128" --files 400 --size 128 >/dev/null
    touch "$DATA/generated-400-128.complete"
fi
