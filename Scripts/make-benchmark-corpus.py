#!/usr/bin/env python3
"""Writes a synthetic CT corpus for benchmarks: 512x512 16-bit slices with a realistic header.

usage: make-benchmark-corpus.py <output-folder> [--files N] [--size S]   (defaults: 1000 files, 512)

Patients x studies x series x slices, a PACS-like layout (<patient>/<study>/<series>/IMnnnn.dcm),
fake PHI at the top level, nested in sequences and in a private block, references from each
slice to the previous one. Plain Python, no dependencies: the files are written byte by byte in
Explicit VR Little Endian. Deterministic: the same N gives the same files.
"""
import math
import os
import struct
import sys
import uuid


def uid(*parts):
    return "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "veil-bench:" + "/".join(map(str, parts))).int)


def pad(value, vr):
    if len(value) % 2:
        value += b"\0" if vr in ("UI", "OB") else b" "
    return value


LONG_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UC", "UR", "UT", "UN", "SV", "UV"}


def element(group, elem, vr, value):
    if isinstance(value, str):
        value = value.encode("ascii")
    value = pad(value, vr)
    head = struct.pack("<HH", group, elem) + vr.encode()
    if vr in LONG_VRS:
        return head + b"\0\0" + struct.pack("<I", len(value)) + value
    return head + struct.pack("<H", len(value)) + value


def sequence(group, elem, items):
    body = b""
    for item in items:
        body += struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) + item + struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
    body += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return struct.pack("<HH", group, elem) + b"SQ\0\0" + struct.pack("<I", 0xFFFFFFFF) + body


def us(value):
    return struct.pack("<H", value)


def phantom(size):
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            r = math.hypot((x - size / 2) / (size * 0.39), (y - size / 2) / (size * 0.47))
            v = -1000 if r > 1 else (1100 if r > 0.92 else 40 + ((x * 7 + y * 3) % 23))
            row += struct.pack("<h", v)
        rows.append(bytes(row))
    return b"".join(rows)


def write_slice(path, pixels, size, patient, study, series, index, previous):
    sop = uid(patient, study, series, index)
    name = f"Benchmark^Patient{patient:03d}"
    pid = f"BENCH-{patient:05d}"
    ct = "1.2.840.10008.5.1.4.1.1.2"
    meta_body = (element(0x0002, 0x0001, "OB", b"\0\1") + element(0x0002, 0x0002, "UI", ct) +
                 element(0x0002, 0x0003, "UI", sop) + element(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1") +
                 element(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.2.1143.107.104.103.115.2.8.4") +
                 element(0x0002, 0x0013, "SH", "BENCHGEN") + element(0x0002, 0x0016, "AE", "BENCHPACS"))
    meta = element(0x0002, 0x0000, "UL", struct.pack("<I", len(meta_body))) + meta_body
    ds = b"".join([
        element(0x0008, 0x0005, "CS", "ISO_IR 100"),
        element(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL"),
        element(0x0008, 0x0012, "DA", "20230405"), element(0x0008, 0x0013, "TM", "101010"),
        element(0x0008, 0x0016, "UI", ct), element(0x0008, 0x0018, "UI", sop),
        element(0x0008, 0x0020, "DA", "20230405"), element(0x0008, 0x0021, "DA", "20230405"),
        element(0x0008, 0x0022, "DA", "20230405"), element(0x0008, 0x0023, "DA", "20230405"),
        element(0x0008, 0x0030, "TM", "100000"), element(0x0008, 0x0031, "TM", "100500"),
        element(0x0008, 0x0032, "TM", "100510"), element(0x0008, 0x0033, "TM", "100511"),
        element(0x0008, 0x0050, "SH", f"ACC{patient:04d}{study:02d}"), element(0x0008, 0x0060, "CS", "CT"),
        element(0x0008, 0x0070, "LO", "Bench Scanners"), element(0x0008, 0x0080, "LO", "Benchmark General Hospital"),
        element(0x0008, 0x0081, "ST", "1 Benchmark Road"), element(0x0008, 0x0090, "PN", "Referrer^Rita"),
        element(0x0008, 0x1010, "SH", "BENCHCT1"), element(0x0008, 0x1030, "LO", f"CT chest for {name}"),
        element(0x0008, 0x103E, "LO", "Axial 1mm"), element(0x0008, 0x1070, "PN", "Operator^Otto"),
        element(0x0008, 0x1090, "LO", "Bench 128"),
        sequence(0x0008, 0x1140, [element(0x0008, 0x1150, "UI", ct) + element(0x0008, 0x1155, "UI", previous)]) if previous else b"",
        element(0x0009, 0x0010, "LO", "BENCH PRIVATE 1.0"), element(0x0009, 0x1001, "LO", name),
        element(0x0009, 0x1002, "SL", struct.pack("<i", index)),
        element(0x0010, 0x0010, "PN", name), element(0x0010, 0x0020, "LO", pid),
        element(0x0010, 0x0030, "DA", "19600101"), element(0x0010, 0x0040, "CS", "O"),
        element(0x0010, 0x1010, "AS", "063Y"), element(0x0010, 0x1040, "LO", "5 Bench Street"),
        element(0x0018, 0x0015, "CS", "CHEST"), element(0x0018, 0x0050, "DS", "1"),
        element(0x0018, 0x0060, "DS", "120"), element(0x0018, 0x1000, "LO", "SN-BENCH-1"),
        element(0x0018, 0x1020, "LO", "1.0"), element(0x0018, 0x1030, "LO", "CHEST ROUTINE"),
        element(0x0018, 0x1150, "IS", "1000"), element(0x0018, 0x1151, "IS", "200"),
        element(0x0018, 0x1210, "SH", "STANDARD"), element(0x0018, 0x5100, "CS", "HFS"),
        element(0x0020, 0x000D, "UI", uid(patient, study)), element(0x0020, 0x000E, "UI", uid(patient, study, series)),
        element(0x0020, 0x0010, "SH", f"{study}"), element(0x0020, 0x0011, "IS", f"{series}"),
        element(0x0020, 0x0012, "IS", "1"), element(0x0020, 0x0013, "IS", f"{index}"),
        element(0x0020, 0x0032, "DS", f"-250\\-250\\{index}"), element(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
        element(0x0020, 0x0052, "UI", uid(patient, study, "for")), element(0x0020, 0x1040, "LO", ""),
        element(0x0028, 0x0002, "US", us(1)), element(0x0028, 0x0004, "CS", "MONOCHROME2"),
        element(0x0028, 0x0010, "US", us(size)), element(0x0028, 0x0011, "US", us(size)),
        element(0x0028, 0x0030, "DS", "0.7\\0.7"), element(0x0028, 0x0100, "US", us(16)),
        element(0x0028, 0x0101, "US", us(16)), element(0x0028, 0x0102, "US", us(15)),
        element(0x0028, 0x0103, "US", us(1)), element(0x0028, 0x1050, "DS", "40"),
        element(0x0028, 0x1051, "DS", "400"), element(0x0028, 0x1052, "DS", "0"), element(0x0028, 0x1053, "DS", "1"),
        sequence(0x0040, 0x0275, [element(0x0008, 0x0050, "SH", f"ACC{patient:04d}{study:02d}") +
                                  element(0x0032, 0x1060, "LO", f"Cough, {name}") +
                                  element(0x0040, 0x1001, "SH", f"RP{patient}")]),
        element(0x7FE0, 0x0010, "OW", pixels),
    ])
    with open(path, "wb") as f:
        f.write(b"\0" * 128 + b"DICM" + meta + ds)
    return sop


def main():
    out = sys.argv[1]
    files = int(sys.argv[sys.argv.index("--files") + 1]) if "--files" in sys.argv else 1000
    size = int(sys.argv[sys.argv.index("--size") + 1]) if "--size" in sys.argv else 512
    pixels = phantom(size)
    slices_per_series = 125
    written = 0
    patient = 0
    while written < files:
        for study in (1, 2):
            previous = None
            folder = os.path.join(out, f"PATIENT{patient:03d}", f"STUDY{study}", "SERIES1")
            os.makedirs(folder, exist_ok=True)
            for index in range(1, slices_per_series + 1):
                if written >= files:
                    break
                # Each slice differs in a few pixels so that no two files are identical.
                varied = pixels[:2048] + struct.pack("<I", written) + pixels[2052:]
                previous = write_slice(os.path.join(folder, f"IM{index:04d}.dcm"), varied, size, patient, study, 1, index,
                                       previous)
                written += 1
        patient += 1
    print(f"wrote {written} files to {out}")


if __name__ == "__main__":
    main()
