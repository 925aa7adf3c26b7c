#!/usr/bin/env python3
"""Prints, as JSON, every value of the text VRs that Specific Character Set governs (SH, LO, UC,
ST, LT, UT, PN) at every depth of each file, as pydicom decodes it: the independent reading
Veil's character set tests compare with. usage: dicom-text.py <file>... (PYTHONPATH must reach
pydicom)."""
import json
import sys

import pydicom

TEXT_VRS = {"SH", "LO", "UC", "ST", "LT", "UT", "PN"}


def walk(dataset, prefix, out):
    for element in dataset:
        path = f"{prefix}({element.tag.group:04X},{element.tag.element:04X})"
        if element.tag.is_private:
            continue  # Veil reads private elements of implicit VR files as UN: not text
        if element.VR == "SQ":
            for index, item in enumerate(element.value):
                walk(item, f"{path}[{index}]", out)
        elif element.VR in TEXT_VRS and element.value not in (None, ""):
            values = element.value if isinstance(element.value, pydicom.multival.MultiValue) else [element.value]
            out.append([path, "\\".join(str(value) for value in values)])


def text(path):
    dataset = pydicom.dcmread(path, force=True)
    dataset.decode()
    out = []
    walk(dataset, "", out)
    return out


print(json.dumps({path: text(path) for path in sys.argv[1:]}, ensure_ascii=False))
