#!/usr/bin/env python3
"""Compares Veil's NIfTI with dcm2niix's for the same series, through nibabel (an independent
reader): prints JSON {"affineDifference": max |a - b| in mm, "sameShape", "valueDifference",
"textFields": non-empty header strings, "extensions": count}.

usage: compare-nifti.py VEIL.nii[.gz] DCM2NIIX.nii[.gz]
"""
import json, sys
import nibabel as nib
import numpy as np

veil, reference = nib.load(sys.argv[1]), nib.load(sys.argv[2])
header = veil.header
text = {key: header[key].item().decode('latin-1').strip('\0') for key in ('descrip', 'aux_file', 'intent_name', 'db_name', 'data_type')}
a, b = veil.get_fdata(), reference.get_fdata()
print(json.dumps({
    "affineDifference": float(np.abs(veil.affine - reference.affine).max()),
    "sformQformDifference": float(np.abs(veil.get_qform() - veil.get_sform()).max()),
    "sameShape": a.shape == b.shape,
    "valueDifference": float(np.abs(a - b).max()) if a.shape == b.shape else None,
    "textFields": [k for k, v in text.items() if v],
    "extensions": len(header.extensions),
}))
