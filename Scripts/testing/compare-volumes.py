#!/usr/bin/env python3
"""Compares two NIfTI volumes in world coordinates, as the volume tests need: both are brought to
the closest canonical orientation (nibabel.as_closest_canonical; dcm2niix may store the same grid
with columns flipped), then their shapes, the largest distance between the world coordinates of
corresponding voxel centres (mm), and the largest voxel difference (over every time point of a
4-D image) are printed as JSON.
usage: compare-volumes.py A.nii.gz B.nii.gz (PYTHONPATH must reach nibabel)."""
import json
import sys

import nibabel
import numpy

a = nibabel.as_closest_canonical(nibabel.load(sys.argv[1]))
b = nibabel.as_closest_canonical(nibabel.load(sys.argv[2]))
shape_a, shape_b = list(a.shape), list(b.shape)
corners = [(i, j, k, 1) for i in (0, shape_a[0] - 1) for j in (0, shape_a[1] - 1) for k in (0, shape_a[2] - 1)]
distance = max(float(numpy.linalg.norm((a.affine @ c)[:3] - (b.affine @ c)[:3])) for c in corners)
data_a, data_b = a.get_fdata(), b.get_fdata()
difference = float(numpy.nanmax(numpy.abs(data_a - data_b))) if data_a.shape == data_b.shape else None
print(json.dumps({"shapeA": shape_a, "shapeB": shape_b, "worldDistance": distance, "voxelDifference": difference}))
