#!/usr/bin/env python3
"""Writes a corpus of malformed and hostile inputs for Veil's robustness tests.

usage: make-malformed-corpus.py <output-folder>

Every case is a file (or a folder, link or pipe) under <output-folder>/cases/, and
<output-folder>/expected.json says, for each, what Veil must report: "failed" (one error line,
nothing written), "skipped" (not DICOM, not named like DICOM), or "written" (odd but valid: the
controls that show the checks are not simply refusing everything). The cases:

- truncated/: one valid file cut at every structural boundary (each element's start, inside its
  header, at its value, inside its value; item and delimiter boundaries), in the File Meta
  Information, the data set, nested sequences and Pixel Data;
- lengths/: lengths beyond the file or their container, undefined lengths where none are
  allowed, huge declared lengths, wrong item and sequence lengths, a wrong meta group length;
- structure/: sequences nested 1,000 deep, odd value lengths, invalid VRs, duplicate and
  out-of-order tags, item tags at the top level, broken encapsulated Pixel Data, trailing bytes;
- meta/: the DICM prefix without a meta header, no Transfer Syntax UID, an unknown one, a meta
  header that claims another encoding than the data set's;
- notdicom/: empty files, text, PNG and random bytes named .dcm, a bare DICM prefix;
- names/: file names with control characters, leading dashes, dots; symbolic link loops and
  dangling links; a named pipe (opening it would block forever);
- valid/: the controls, including sequences nested 20 deep.

Plain Python, deterministic. The synthetic values are fake: no real patient data.
"""
import json
import os
import random
import struct
import sys

LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"}
UNDEFINED = 0xFFFFFFFF
CT = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"


def pad(value, vr):
    if len(value) % 2:
        value += b"\0" if vr in ("UI", "OB", "UN") else b" "
    return value


class Writer:
    """Builds Explicit VR Little Endian bytes and remembers every structural boundary."""

    def __init__(self):
        self.data = bytearray()
        self.boundaries = []  # (offset, what)

    def mark(self, what):
        self.boundaries.append((len(self.data), what))

    def element(self, group, elem, vr, value, length=None, raw=False):
        if isinstance(value, str):
            value = value.encode("ascii")
        if not raw:
            value = pad(value, vr)
        declared = len(value) if length is None else length
        self.mark(f"({group:04X},{elem:04X}) start")
        self.data += struct.pack("<HH", group, elem) + vr.encode("latin-1")
        self.mark(f"({group:04X},{elem:04X}) inside header")
        if vr in LONG_VRS:
            self.data += b"\0\0" + struct.pack("<I", declared)
        else:
            self.data += struct.pack("<H", declared)
        self.mark(f"({group:04X},{elem:04X}) value")
        half = len(value) // 2
        self.data += value[:half]
        if half:
            self.mark(f"({group:04X},{elem:04X}) inside value")
        self.data += value[half:]

    def begin_sequence(self, group, elem):
        self.mark(f"({group:04X},{elem:04X}) sequence start")
        self.data += struct.pack("<HH", group, elem) + b"SQ\0\0" + struct.pack("<I", UNDEFINED)

    def begin_item(self):
        self.mark("item start")
        self.data += struct.pack("<HHI", 0xFFFE, 0xE000, UNDEFINED)

    def end_item(self):
        self.mark("item delimiter")
        self.data += struct.pack("<HHI", 0xFFFE, 0xE00D, 0)

    def end_sequence(self):
        self.mark("sequence delimiter")
        self.data += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)


def meta_bytes(transfer_syntax=EXPLICIT_LE, sop="2.25.1", group_length=None, with_transfer_syntax=True):
    body = Writer()
    body.element(0x0002, 0x0001, "OB", b"\0\1")
    body.element(0x0002, 0x0002, "UI", CT)
    body.element(0x0002, 0x0003, "UI", sop)
    if with_transfer_syntax:
        body.element(0x0002, 0x0010, "UI", transfer_syntax)
    body.element(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.2.1143.107.104.103.115.2.8.4")
    head = Writer()
    head.element(0x0002, 0x0000, "UL", struct.pack("<I", len(body.data) if group_length is None else group_length))
    return bytes(head.data + body.data)


def data_set(writer, sop="2.25.1", nested=1, pixels=b"\x01\x02" * 64, extra=None):
    """A small CT image with fake PHI, a nested sequence and a private block."""
    w = writer
    w.element(0x0008, 0x0005, "CS", "ISO_IR 100")
    w.element(0x0008, 0x0016, "UI", CT)
    w.element(0x0008, 0x0018, "UI", sop)
    w.element(0x0008, 0x0020, "DA", "20230405")
    w.element(0x0008, 0x0060, "CS", "CT")
    w.element(0x0008, 0x0090, "PN", "Referrer^Rita")
    # Referenced Image Sequence, then Content Sequences nested inside its item: tags ascend.
    w.begin_sequence(0x0008, 0x1140)
    for depth in range(nested):
        if depth:
            w.begin_sequence(0x0040, 0xA730)
        w.begin_item()
        w.element(0x0008, 0x1150, "UI", CT)
        w.element(0x0008, 0x1155, "UI", f"2.25.{100 + depth}")
    for _ in range(nested):
        w.end_item()
        w.end_sequence()
    w.element(0x0009, 0x0010, "LO", "MALFORMED TEST")
    w.element(0x0009, 0x1001, "LO", "Malformed^Patient")
    w.element(0x0010, 0x0010, "PN", "Malformed^Patient")
    w.element(0x0010, 0x0020, "LO", "MAL-0001")
    if extra:
        extra(w)
    w.element(0x0020, 0x000D, "UI", "2.25.11")
    w.element(0x0020, 0x000E, "UI", "2.25.12")
    w.element(0x0028, 0x0002, "US", struct.pack("<H", 1))
    w.element(0x0028, 0x0004, "CS", "MONOCHROME2")
    w.element(0x0028, 0x0010, "US", struct.pack("<H", 8))
    w.element(0x0028, 0x0011, "US", struct.pack("<H", 8))
    w.element(0x0028, 0x0100, "US", struct.pack("<H", 16))
    w.element(0x0028, 0x0101, "US", struct.pack("<H", 16))
    w.element(0x0028, 0x0102, "US", struct.pack("<H", 15))
    w.element(0x0028, 0x0103, "US", struct.pack("<H", 0))
    w.element(0x7FE0, 0x0010, "OW", pixels)


def part10(dataset_bytes, **meta):
    return b"\0" * 128 + b"DICM" + meta_bytes(**meta) + dataset_bytes


def valid_file(sop="2.25.1", **kwargs):
    """The whole file as bytes, and the boundaries (offset, what) within it."""
    writer = Writer()
    data_set(writer, sop=sop, **kwargs)
    prefix = b"\0" * 128 + b"DICM"
    meta = meta_bytes(sop=sop)
    boundaries = [(128, "DICM prefix"), (132, "meta start")]
    # Meta boundaries: every element start, header and value.
    offset = 0
    while offset < len(meta):
        group, elem, vr = struct.unpack_from("<HH2s", meta, offset)
        length = struct.unpack_from("<H", meta, offset + 6)[0] if vr.decode() not in LONG_VRS else \
            struct.unpack_from("<I", meta, offset + 8)[0]
        header = 12 if vr.decode() in LONG_VRS else 8
        for delta, what in ((0, "start"), (4, "inside header"), (header, "value")):
            boundaries.append((132 + offset + delta, f"meta ({group:04X},{elem:04X}) {what}"))
        offset += header + length
    base = len(prefix) + len(meta)
    boundaries += [(base + offset, what) for offset, what in writer.boundaries]
    return prefix + meta + bytes(writer.data), boundaries


def main():
    out = sys.argv[1]
    cases_root = os.path.join(out, "cases")
    os.makedirs(cases_root, exist_ok=True)
    expected = {}
    rng = random.Random(20261123)

    def write(relative, data, outcome, why):
        path = os.path.join(cases_root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        expected[relative] = {"expected": outcome, "why": why}

    full, boundaries = valid_file()

    # truncated/: every boundary, and one byte past each.
    seen = set()
    for offset, what in boundaries:
        for cut, suffix in ((offset, ""), (offset + 1, " + 1 byte")):
            if cut <= 0 or cut >= len(full) or cut in seen:
                continue
            seen.add(cut)
            write(f"truncated/cut-{cut:05d}.dcm", full[:cut], "failed", f"cut at {what}{suffix}")

    def with_extra(extra, **kwargs):
        writer = Writer()
        data_set(writer, extra=extra, **kwargs)
        return part10(bytes(writer.data))

    # lengths/
    write("lengths/value-beyond-file.dcm",
          with_extra(lambda w: w.element(0x0010, 0x1040, "LO", "5 Malformed Street", length=0x7FF0)),
          "failed", "a short value whose 16-bit length runs past the end of the file")
    write("lengths/huge-ob.dcm", with_extra(lambda w: w.element(0x0010, 0x2180, "OB", b"\0" * 4, length=0xFFFFFFF0)),
          "failed", "an OB declaring 4 GiB - 16 bytes")
    write("lengths/huge-pixel-data.dcm", valid_file(pixels=b"")[0][:-4] + struct.pack("<I", 0xFFFFFFF0),
          "failed", "Pixel Data declaring 4 GiB - 16 bytes")
    write("lengths/undefined-on-lo.dcm",
          with_extra(lambda w: w.element(0x0010, 0x1040, "UT", "5 Malformed Street", length=UNDEFINED)),
          "failed", "undefined length on a UT element")

    def wrong_item_length(w):
        w.mark("")
        body = Writer()
        body.element(0x0008, 0x1150, "UI", CT)
        body.element(0x0008, 0x1155, "UI", "2.25.999")
        w.data += struct.pack("<HH", 0x0010, 0x1002) + b"SQ\0\0" + struct.pack("<I", UNDEFINED)
        w.data += struct.pack("<HHI", 0xFFFE, 0xE000, 6) + body.data  # item claims 6 bytes
        w.data += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    write("lengths/item-length-too-short.dcm", with_extra(wrong_item_length), "failed", "an item shorter than its content")

    def sequence_length_too_long(w):
        body = Writer()
        body.begin_item()
        body.element(0x0010, 0x0020, "LO", "OTHER-ID")
        body.end_item()
        w.data += struct.pack("<HH", 0x0010, 0x1002) + b"SQ\0\0" + struct.pack("<I", len(body.data) + 40) + body.data
    write("lengths/sequence-length-too-long.dcm", with_extra(sequence_length_too_long), "failed",
          "a sequence of defined length that swallows the elements after it")
    writer = Writer()
    data_set(writer)
    write("lengths/meta-group-length-wrong.dcm", part10(bytes(writer.data), group_length=40), "failed",
          "File Meta Information Group Length smaller than the meta header")

    # structure/
    writer = Writer()
    data_set(writer, nested=1000)
    write("structure/nested-1000.dcm", part10(bytes(writer.data)), "failed", "sequences nested 1,000 deep")
    write("structure/odd-length.dcm",
          with_extra(lambda w: w.element(0x0010, 0x1040, "LO", b"ODD12", raw=True)), "failed", "a value of odd length")
    writer = Writer()
    data_set(writer, sop="2.25.3")
    private_odd = bytes(writer.data).replace(b"\x09\x00\x10\x00LO\x0e\x00MALFORMED TEST",
                                             b"\x09\x00\x10\x00LO\x0d\x00MALFORMED TES", 1)
    write("valid/private-odd-length.dcm", part10(private_odd, sop="2.25.3"), "written",
          "an odd length in a private creator, as vendors write them: tolerated")
    write("structure/bad-vr-zz.dcm", with_extra(lambda w: w.element(0x0010, 0x1040, "ZZ", "5 Malformed Street")),
          "failed", "VR 'ZZ'")
    write("structure/bad-vr-nul.dcm", with_extra(lambda w: w.element(0x0010, 0x1040, "\0\0", "5 Malformed Street")),
          "failed", "VR of two NUL bytes")
    write("structure/bad-vr-lowercase.dcm", with_extra(lambda w: w.element(0x0010, 0x1040, "lo", "5 Malformed Street")),
          "failed", "VR 'lo'")

    def duplicate(w):
        w.element(0x0010, 0x0030, "DA", "19600101")
        w.element(0x0010, 0x0030, "DA", "19610101")
    write("structure/duplicate-tag.dcm", with_extra(duplicate), "failed", "Patient's Birth Date twice")

    def out_of_order(w):
        w.element(0x0010, 0x1040, "LO", "5 Malformed Street")
        w.element(0x0010, 0x0030, "DA", "19600101")
    write("structure/out-of-order.dcm", with_extra(out_of_order), "failed", "tags out of ascending order")

    def item_at_top_level(w):
        w.data += struct.pack("<HHI", 0xFFFE, 0xE000, 8) + struct.pack("<HH", 0x0010, 0x0030) + b"DA" + struct.pack("<H", 0)
    write("structure/item-at-top-level.dcm", with_extra(item_at_top_level), "failed", "an item tag in the data set")
    write("structure/trailing-bytes.dcm", full + b"\x10\x00\x10", "failed", "three bytes after the last element")
    write("structure/trailing-zeros.dcm", full + b"\0" * 16, "failed", "zeros after Pixel Data")

    def encapsulated(fragments, delimiter=True, item_length=None):
        writer = Writer()
        data_set(writer, pixels=b"")
        data = bytes(writer.data)[:-12]  # drop the empty native Pixel Data element
        body = struct.pack("<HHI", 0xFFFE, 0xE000, 0)  # empty basic offset table
        for fragment in fragments:
            length = len(fragment) if item_length is None else item_length
            body += struct.pack("<HHI", 0xFFFE, 0xE000, length) + fragment
        if delimiter:
            body += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
        pixel = struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\0\0" + struct.pack("<I", UNDEFINED) + body
        return part10(data + pixel, transfer_syntax="1.2.840.10008.1.2.5")
    write("structure/encapsulated-no-delimiter.dcm", encapsulated([b"\0" * 64], delimiter=False), "failed",
          "encapsulated Pixel Data without its sequence delimiter")
    write("structure/encapsulated-fragment-too-long.dcm", encapsulated([b"\0" * 64], item_length=4096), "failed",
          "a fragment longer than the file")
    write("structure/encapsulated-undefined-fragment.dcm", encapsulated([b"\0" * 64], item_length=UNDEFINED), "failed",
          "a fragment of undefined length")

    # meta/
    writer = Writer()
    data_set(writer)
    write("meta/dicm-without-meta.dcm", b"\0" * 128 + b"DICM" + bytes(writer.data), "failed",
          "the DICM prefix followed directly by the data set")
    write("meta/no-transfer-syntax.dcm", part10(bytes(writer.data), with_transfer_syntax=False), "failed",
          "a meta header without Transfer Syntax UID")
    write("meta/unknown-transfer-syntax.dcm", part10(bytes(writer.data), transfer_syntax="1.2.3.4.5.6"), "failed",
          "an unknown Transfer Syntax UID")
    write("meta/claims-implicit.dcm", part10(bytes(writer.data), transfer_syntax=IMPLICIT_LE), "failed",
          "meta says Implicit VR, data set is Explicit VR")
    write("meta/claims-big-endian.dcm", part10(bytes(writer.data), transfer_syntax="1.2.840.10008.1.2.2"), "failed",
          "meta says Big Endian, data set is Little Endian")

    # notdicom/
    write("notdicom/empty.dcm", b"", "failed", "an empty file named .dcm")
    write("notdicom/IM000000", b"", "failed", "an empty file named like a PACS export file")
    write("notdicom/notes.dcm", b"Patient: Malformed^Patient\nnot a DICOM file\n", "failed", "text named .dcm")
    write("notdicom/picture.dcm", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(200)), "failed",
          "a PNG named .dcm")
    write("notdicom/random.dcm", bytes(rng.randrange(256) for _ in range(4096)), "failed", "random bytes named .dcm")
    write("notdicom/only-prefix.dcm", b"\0" * 128 + b"DICM", "failed", "the DICM prefix and nothing else")
    write("notdicom/readme.txt", b"Export notes for Malformed^Patient\n", "skipped", "a text file in the export")

    # names/
    control_names = ["line\nbreak.dcm", "escape\x1b[31mred.dcm", "tab\tname.dcm", "-rf.dcm", "..dcm", "...", " .dcm"]
    for number, name in enumerate(control_names):
        write(f"names/{name}", valid_file(sop=f"2.25.{200 + number}")[0], "written",
              "an odd file name; the file itself is valid")
    links = os.path.join(cases_root, "names", "links")
    os.makedirs(links, exist_ok=True)
    for name, target in (("loop-a.dcm", "loop-b.dcm"), ("loop-b.dcm", "loop-a.dcm"), ("dangling.dcm", "nowhere.dcm"),
                         ("up", "..")):
        link = os.path.join(links, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(target, link)
    expected["names/links/loop-a.dcm"] = {"expected": "failed", "why": "a symbolic link loop"}
    expected["names/links/loop-b.dcm"] = {"expected": "failed", "why": "a symbolic link loop"}
    expected["names/links/dangling.dcm"] = {"expected": "failed", "why": "a dangling symbolic link"}
    # names/links/up is a link to a folder: not followed, not an input (links to folders can loop).
    fifo = os.path.join(cases_root, "names", "pipe.dcm")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    expected["names/pipe.dcm"] = {"expected": "failed", "why": "a named pipe: not a regular file"}

    # valid/: the controls.
    write("valid/plain.dcm", full, "written", "the valid base file")
    writer = Writer()
    data_set(writer, nested=20, sop="2.25.2")
    write("valid/nested-20.dcm", part10(bytes(writer.data), sop="2.25.2"), "written", "sequences nested 20 deep")

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    counts = {}
    for case in expected.values():
        counts[case["expected"]] = counts.get(case["expected"], 0) + 1
    print(f"wrote {len(expected)} cases to {cases_root}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
