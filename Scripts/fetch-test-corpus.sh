#!/usr/bin/env bash
# Fetches real-world DICOM test files from PyPI (pydicom, pydicom-data, deid-data), and pydicom
# itself for Scripts/plant-phi.py, into TestData/ (ignored by git). Then plants fake PHI into
# copies of them. Also makes the series of the volume tests (Scripts/make-volume-cases.py), the
# head series of the defacing tests from pydeface's average head (Scripts/make-head-series.py,
# needs numpy and scipy), the burned-in text cases (Scripts/make-text-cases.py, with Pillow and
# DejaVu fonts), and unpacks nibabel for the NIfTI comparison. Idempotent: each step is
# skipped when its result is already there.
#
# Everything fetched is public test data with fake or no patient information.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=TestData
PYTHON=${PYTHON:-python3}
mkdir -p "$DATA/downloads" "$DATA/corpus"

make_heads() {
    if ! "$PYTHON" -c 'import numpy, scipy' 2>/dev/null; then
        Scripts/install-dependencies.sh python3-numpy python3-scipy || true
        "$PYTHON" -c 'import numpy, scipy' 2>/dev/null ||
            "$PYTHON" -m pip install --quiet numpy scipy 2>/dev/null ||
            "$PYTHON" -m pip install --quiet --break-system-packages numpy scipy
    fi
    if [[ ! -d "$DATA/python/nibabel" || "${1:-}" == --force ]]; then
        # nibabel (and what it needs besides numpy) for Scripts/testing/compare-nifti.py: pure Python.
        "$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" \
            nibabel==5.3.2 packaging==24.2 importlib_resources==6.4.5 zipp==3.21.0
        for wheel in nibabel-5.3.2 packaging-24.2 importlib_resources-6.4.5 zipp-3.21.0; do
            "$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
                "$(ls "$DATA"/downloads/$wheel-*.whl)" "$DATA/python"
        done
    fi
    if [[ ! -f "$DATA/volumes/coronal/truth.json" || "${1:-}" == --force ]]; then
        PYTHONPATH="$DATA/python" "$PYTHON" Scripts/make-volume-cases.py "$DATA/volumes"
    fi
    if [[ ! -f "$DATA/heads/complete" || "${1:-}" == --force ]]; then
        PYTHONPATH="$DATA/python" "$PYTHON" Scripts/make-head-series.py "$(pydeface_wheel)" "$DATA/heads" 32 >/dev/null
    fi
    if [[ ! -f "$DATA/text/complete" || "${1:-}" == --force ]]; then
        # Pillow (binary wheel for this Python) draws the fake PHI; DejaVu fonts from Debian.
        Scripts/install-dependencies.sh fonts-dejavu-core || true
        if [[ ! -d "$DATA/python/PIL" ]]; then
            "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$DATA/downloads" pillow==13.0.0
            "$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
                "$(ls "$DATA"/downloads/pillow-13.0.0-*.whl | head -n 1)" "$DATA/python"
        fi
        PYTHONPATH="$DATA/python" "$PYTHON" Scripts/make-text-cases.py "$(pydeface_wheel)" "$DATA/text" 80
    fi
}

# pydeface's wheel (MIT): its average head is the source of the head series and text cases.
pydeface_wheel() {
    ls "$DATA"/downloads/pydeface-2.1.0-*.whl 2>/dev/null | head -n 1 && return 0
    "$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" pydeface==2.1.0 >&2
    ls "$DATA"/downloads/pydeface-2.1.0-*.whl | head -n 1
}

if [[ -f "$DATA/planted/manifest.json" && "${1:-}" != "--force" ]]; then
    make_heads
    exit 0
fi

"$PYTHON" -m pip download --quiet --no-deps -d "$DATA/downloads" \
    pydicom==3.0.2 pydicom-data==1.0.0 deid-data==0.0.20
# pydicom is pure Python: its wheel, unpacked, is all Scripts/plant-phi.py needs (no pip install).
rm -rf "$DATA/python"
"$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$(ls "$DATA"/downloads/pydicom-3.0.2-*.whl)" "$DATA/python"

rm -rf "$DATA/corpus"
mkdir -p "$DATA/corpus/pydicom" "$DATA/corpus/pydicom-data" "$DATA/corpus/deid-data"
"$PYTHON" - "$DATA" <<'PY'
import os, sys, tarfile, zipfile, io
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

PYTHONPATH="$DATA/python" "$PYTHON" Scripts/plant-phi.py "$DATA/corpus" "$DATA/planted"
make_heads "${1:-}"
