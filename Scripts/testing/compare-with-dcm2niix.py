#!/usr/bin/env python3
"""Compares every image Veil wrote (<study>/<series>/volume*.nii.gz under VEIL) with what dcm2niix
wrote for the same series (files named by Series Instance UID, `dcm2niix -f %j`, under
REFERENCE), in world coordinates: both are brought to the closest canonical orientation
(nibabel.as_closest_canonical; dcm2niix may store the same grid with columns flipped).

Prints JSON: one object per series UID with the shapes each tool wrote and, for each Veil image,
the dcm2niix image of the same shape closest to it: the largest distance between corresponding
voxel centres at the grid's corners (mm) and the largest voxel difference (every time point of a
4-D image). Images nibabel cannot read as numbers (dcm2niix's RGB) are left out.
usage: compare-with-dcm2niix.py VEIL REFERENCE (PYTHONPATH must reach nibabel)."""
import glob, json, os, sys

import nibabel
import numpy


def load(path):
    try:
        image = nibabel.as_closest_canonical(nibabel.load(path))
        return image, image.get_fdata()
    except Exception:  # RGB and other structured voxels
        return None


def distance(a, b):
    shape = a.shape[:3]
    corners = [(i, j, k, 1) for i in (0, shape[0] - 1) for j in (0, shape[1] - 1) for k in (0, shape[2] - 1)]
    return max(float(numpy.linalg.norm((a.affine @ c)[:3] - (b.affine @ c)[:3])) for c in corners)


veil_root, reference_root = sys.argv[1], sys.argv[2]
veil, reference = {}, {}
for path in glob.glob(os.path.join(veil_root, "*", "*", "volume*.nii.gz")):
    veil.setdefault(os.path.basename(os.path.dirname(path)), []).append(path)
for path in glob.glob(os.path.join(reference_root, "*.nii*")):
    # dcm2niix appends a, b, … or _e2, _ph, … to names it has already used.
    uid = os.path.basename(path).split(".nii")[0].split("_")[0].rstrip("abcdefghijklmnopqrstuvwxyz")
    reference.setdefault(uid, []).append(path)
result = {}
for uid in sorted(set(veil) | set(reference)):
    ours = [(p, load(p)) for p in sorted(veil.get(uid, []))]
    theirs = [(p, load(p)) for p in sorted(reference.get(uid, []))]
    theirs = [(p, loaded) for p, loaded in theirs if loaded is not None]
    entry = {"veil": [list(l[0].shape) for _, l in ours if l], "dcm2niix": [list(l[0].shape) for _, l in theirs],
             "matches": []}
    for path, loaded in ours:
        best = None
        for other, candidate in theirs:
            if loaded is None or candidate[0].shape != loaded[0].shape:
                continue
            found = (distance(loaded[0], candidate[0]), float(numpy.nanmax(numpy.abs(loaded[1] - candidate[1]))))
            best = found if best is None or found < best else best
        entry["matches"].append({"image": os.path.basename(path), "worldDistance": best and best[0],
                                 "voxelDifference": best and best[1]})
    result[uid] = entry
print(json.dumps(result))
