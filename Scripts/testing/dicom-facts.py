#!/usr/bin/env python3
"""Prints, as JSON, what Veil's tests check about DICOM files, read by an independent reader
(pydicom): per file the MD5 of Pixel Data, the preamble, every UID value with its path, and the
SOP Instance UID. usage: dicom-facts.py <file>... (PYTHONPATH must reach pydicom)."""
import hashlib
import json
import sys

import pydicom


def walk(dataset, prefix, out):
    for element in dataset:
        path = f"{prefix}({element.tag.group:04X},{element.tag.element:04X})"
        if element.VR == "SQ":
            for index, item in enumerate(element.value):
                walk(item, f"{path}[{index}]", out)
        elif element.VR == "UI" and element.value:
            values = element.value if isinstance(element.value, (list, pydicom.multival.MultiValue)) else [element.value]
            for value in values:
                out.append([path, str(value)])


def facts(path):
    ds = pydicom.dcmread(path, force=True)
    uids = []
    walk(ds.file_meta, "", uids)
    walk(ds, "", uids)
    pixel = ds.get((0x7FE0, 0x0010))
    return {
        "preamble": (ds.preamble or b"").hex(),
        "pixelMD5": hashlib.md5(pixel.value).hexdigest() if pixel is not None and pixel.value is not None else None,
        "sopInstanceUID": str(ds.get("SOPInstanceUID", "")),
        "uids": uids,
    }


print(json.dumps({path: facts(path) for path in sys.argv[1:]}))
