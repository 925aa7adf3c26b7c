#!/usr/bin/env python3
"""Generates SampleScans/: small synthetic DICOM files with fake PHI, for trying Veil out.

usage: Scripts/make-samples.py [output-folder]     (default: SampleScans)

Needs DCMTK's command-line tools (Debian package `dcmtk`): dump2dcm builds each file from a text
dump written here, dcmcjpls and dcmcrle compress two of them. Everything is deterministic: the
same script gives the same files. No real patient data: names, IDs, dates and places are made up.
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "SampleScans")


def uid(name):
    """A deterministic UUID-derived UID (PS3.5 B.2) for a sample object."""
    return "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "veil-sample:" + name).int)


STUDY_CT = uid("study-ct")
SERIES_CT = uid("series-ct")
FRAME_CT = uid("frame-of-reference-ct")
STUDY_MR = uid("study-mr")
SERIES_MR = uid("series-mr")
SERIES_SR = uid("series-sr")
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"

JANE = {
    "name": "Doe^Jane^Quinn", "id": "VEIL-SAMPLE-0001", "birth": "19580214", "sex": "F",
    "address": "221 Larkspur Avenue Millbrook", "phone": "555-0100-2211", "accession": "ACC20240001",
}
JOHN = {
    "name": "Smith^John", "id": "VEIL-SAMPLE-0002", "birth": "19711103", "sex": "M",
    "address": "9 Harbour Row Eastwick", "phone": "555-0100-9087", "accession": "ACC20240002",
}


def phantom(size, slice_index, mr=False):
    """A head-like phantom: an ellipse of 'brain' inside a 'skull' ring, air outside."""
    values = []
    for y in range(size):
        for x in range(size):
            dx = (x - size / 2 + 0.5) / (size * 0.42)
            dy = (y - size / 2 + 0.5) / (size * 0.48)
            r = math.hypot(dx, dy)
            if mr:
                v = 0 if r > 1 else (300 if r > 0.9 else 600 + int(80 * math.sin(x / 3.0 + slice_index)))
            else:
                v = -1000 if r > 1 else (1200 if r > 0.9 else 35 + int(10 * math.cos(y / 4.0 + slice_index)))
            values.append(v)
    return values


def pixel_line(values, signed):
    words = [(v + 65536) % 65536 if signed else v for v in values]
    return "(7fe0,0010) OW " + "\\".join(f"{w:04x}" for w in words)


def patient_lines(p):
    return [
        f"(0010,0010) PN [{p['name']}]",
        f"(0010,0020) LO [{p['id']}]",
        "(0010,0021) LO [MILLBROOK GENERAL]",
        f"(0010,0030) DA [{p['birth']}]",
        f"(0010,0040) CS [{p['sex']}]",
        "(0010,1002) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        f"    (0010,0020) LO [{p['id']}-OLD]",
        "    (0010,0021) LO [EASTWICK CLINIC]",
        "    (0010,0022) CS [TEXT]",
        "  (fffe,e00d) na (ItemDelimitationItem)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
        f"(0010,1040) LO [{p['address']}]",
        f"(0010,2154) SH [{p['phone']}]",
    ]


def image_dump(kind, p, index, sop, study, series, references=None):
    mr = kind == "MR"
    family, given = p["name"].split("^")[:2]
    lines = [
        "(0002,0001) OB 00\\01",
        f"(0002,0002) UI [{MR_IMAGE if mr else CT_IMAGE}]",
        f"(0002,0003) UI [{sop}]",
        "(0002,0010) UI =LittleEndianExplicit",
        "(0002,0016) AE [MILLBROOKPACS]",
        "(0008,0005) CS [ISO_IR 100]",
        "(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]",
        "(0008,0012) DA [20240312]",
        "(0008,0013) TM [101502]",
        f"(0008,0016) UI [{MR_IMAGE if mr else CT_IMAGE}]",
        f"(0008,0018) UI [{sop}]",
        "(0008,0020) DA [20240312]",
        "(0008,0021) DA [20240312]",
        "(0008,0022) DA [20240312]",
        "(0008,0023) DA [20240312]",
        "(0008,0030) TM [100000]",
        "(0008,0031) TM [100500]",
        "(0008,0032) TM [100512]",
        "(0008,0033) TM [100513]",
        f"(0008,0050) SH [{p['accession']}]",
        f"(0008,0060) CS [{kind}]",
        "(0008,0070) LO [Sample Scanners Inc]",
        "(0008,0080) LO [Millbrook General Hospital]",
        "(0008,0081) ST [1 Hospital Road Millbrook]",
        "(0008,0090) PN [Referrer^Rosalind^^Dr]",
        "(0008,1010) SH [MILLBROOK-CT2]",
        f"(0008,1030) LO [{kind} head for {given} {family}]",
        f"(0008,103e) LO [Axial head {family}]",
        "(0008,1040) LO [Neuroradiology]",
        "(0008,1050) PN [Performer^Paula]",
        "(0008,1070) PN [Operator^Oliver]",
        "(0008,1090) LO [Sample 3000]",
    ]
    if references:
        lines += ["(0008,1140) SQ (Sequence with undefined length)"]
        for ref in references:
            lines += [
                "  (fffe,e000) na (Item with undefined length)",
                f"    (0008,1150) UI [{CT_IMAGE}]",
                f"    (0008,1155) UI [{ref}]",
                "  (fffe,e00d) na (ItemDelimitationItem)",
            ]
        lines += ["(fffe,e0dd) na (SequenceDelimitationItem)"]
    # A private block: a creator, a name and an ID in it.
    lines += [
        "(0009,0010) LO [SAMPLE SCANNERS 1.0]",
        f"(0009,1001) LO [{family}^{given}]",
        f"(0009,1002) LO [{p['id']}]",
    ]
    lines += patient_lines(p)
    lines += [
        "(0010,1010) AS [066Y]" if p is JANE else "(0010,1010) AS [052Y]",
        f"(0010,4000) LT [Patient {family} prefers the morning slot]",
        "(0018,0015) CS [HEAD]",
        "(0018,0050) DS [5]",
        "(0018,0060) DS [120]" if not mr else "(0018,0020) CS [SE]",
        "(0018,0021) CS [NONE]" if mr else "(0018,0022) CS [AXIAL MODE]",
        "(0018,0022) CS [NONE]" if mr else "(0018,0090) DS [250]",
        "(0018,0023) CS [2D]" if mr else "(0018,1100) DS [240]",
        "(0018,0080) DS [500]" if mr else "(0018,1150) IS [1000]",
        "(0018,0081) DS [15]" if mr else "(0018,1151) IS [200]",
        "(0018,0091) IS [1]" if mr else "(0018,1210) SH [STANDARD]",
        "(0018,1000) LO [SN-7781-MB]",
        "(0018,1030) LO [HEAD ROUTINE]",
        "(0018,5100) CS [HFS]",
        f"(0020,000d) UI [{study}]",
        f"(0020,000e) UI [{series}]",
        f"(0020,0010) SH [{p['accession'][-4:]}]",
        "(0020,0011) IS [1]",
        "(0020,0012) IS [1]",
        f"(0020,0013) IS [{index}]",
        f"(0020,0032) DS [-80\\-80\\{index * 5}]",
        "(0020,0037) DS [1\\0\\0\\0\\1\\0]",
        f"(0020,0052) UI [{FRAME_CT if not mr else uid('frame-of-reference-mr')}]",
        "(0020,1040) LO (no value available)",
        f"(0020,4000) LT [Follow-up for {given} {family}, ID {p['id']}]",
        "(0028,0002) US 1",
        "(0028,0004) CS [MONOCHROME2]",
        "(0028,0010) US 64",
        "(0028,0011) US 64",
        "(0028,0030) DS [3.75\\3.75]",
        "(0028,0100) US 16",
        "(0028,0101) US 16" if not mr else "(0028,0101) US 12",
        "(0028,0102) US 15" if not mr else "(0028,0102) US 11",
        f"(0028,0103) US {0 if mr else 1}",
    ]
    if not mr:
        lines += ["(0028,1050) DS [40]", "(0028,1051) DS [400]", "(0028,1052) DS [0]", "(0028,1053) DS [1]"]
    # The request that led to the study, nested with identifying free text and a deeper sequence.
    lines += [
        "(0032,1032) PN [Requester^Rupert]",
        "(0040,0275) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        f"    (0008,0050) SH [{p['accession']}]",
        "    (0008,1110) SQ (Sequence with undefined length)",
        "      (fffe,e000) na (Item with undefined length)",
        "        (0008,1150) UI [1.2.840.10008.3.1.2.3.1]",
        f"        (0008,1155) UI [{study}]",
        "      (fffe,e00d) na (ItemDelimitationItem)",
        "    (fffe,e0dd) na (SequenceDelimitationItem)",
        f"    (0032,1060) LO [Headache, {family} since March]",
        "    (0040,0009) SH [SPS-55120]",
        "    (0040,1001) SH [RP-55120]",
        "  (fffe,e00d) na (ItemDelimitationItem)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
    ]
    lines.append(pixel_line(phantom(64, index, mr), signed=not mr))
    return "\n".join(lines) + "\n"


def sr_dump(p, sop, references):
    family, given = p["name"].split("^")[:2]
    content = []
    for ref in references:
        content += [
            "  (fffe,e000) na (Item with undefined length)",
            "    (0008,1199) SQ (Sequence with undefined length)",
            "      (fffe,e000) na (Item with undefined length)",
            f"        (0008,1150) UI [{CT_IMAGE}]",
            f"        (0008,1155) UI [{ref}]",
            "      (fffe,e00d) na (ItemDelimitationItem)",
            "    (fffe,e0dd) na (SequenceDelimitationItem)",
            "    (0040,a010) CS [CONTAINS]",
            "    (0040,a040) CS [IMAGE]",
            "  (fffe,e00d) na (ItemDelimitationItem)",
        ]
    lines = [
        "(0002,0001) OB 00\\01",
        f"(0002,0002) UI [{BASIC_TEXT_SR}]",
        f"(0002,0003) UI [{sop}]",
        "(0002,0010) UI =LittleEndianExplicit",
        "(0008,0005) CS [ISO_IR 100]",
        f"(0008,0016) UI [{BASIC_TEXT_SR}]",
        f"(0008,0018) UI [{sop}]",
        "(0008,0020) DA [20240312]",
        "(0008,0023) DA [20240313]",
        "(0008,0030) TM [100000]",
        "(0008,0033) TM [090000]",
        f"(0008,0050) SH [{p['accession']}]",
        "(0008,0060) CS [SR]",
        "(0008,0070) LO [Sample Reporting Co]",
        "(0008,0090) PN [Referrer^Rosalind^^Dr]",
        "(0008,1111) SQ (Sequence with undefined length)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
    ] + patient_lines(p) + [
        f"(0020,000d) UI [{STUDY_CT}]",
        f"(0020,000e) UI [{SERIES_SR}]",
        "(0020,0010) SH [0001]",
        "(0020,0011) IS [2]",
        "(0020,0013) IS [1]",
        "(0040,a040) CS [CONTAINER]",
        "(0040,a043) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        "    (0008,0100) SH [18748-4]",
        "    (0008,0102) SH [LN]",
        "    (0008,0104) LO [Diagnostic imaging study]",
        "  (fffe,e00d) na (ItemDelimitationItem)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
        "(0040,a050) CS [SEPARATE]",
        "(0040,a073) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        "    (0040,a027) LO [Millbrook General Hospital]",
        "    (0040,a030) DT [20240313091500]",
        "    (0040,a075) PN [Verifier^Vera^^Dr]",
        "    (0040,a088) SQ (Sequence with undefined length)",
        "    (fffe,e0dd) na (SequenceDelimitationItem)",
        "  (fffe,e00d) na (ItemDelimitationItem)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
        "(0040,a372) SQ (Sequence with undefined length)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
        "(0040,a491) CS [COMPLETE]",
        "(0040,a493) CS [VERIFIED]",
        "(0040,a730) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        "    (0040,a010) CS [CONTAINS]",
        "    (0040,a040) CS [TEXT]",
        "    (0040,a043) SQ (Sequence with undefined length)",
        "      (fffe,e000) na (Item with undefined length)",
        "        (0008,0100) SH [121071]",
        "        (0008,0102) SH [DCM]",
        "        (0008,0104) LO [Finding]",
        "      (fffe,e00d) na (ItemDelimitationItem)",
        "    (fffe,e0dd) na (SequenceDelimitationItem)",
        f"    (0040,a160) UT [No acute findings for {given} {family} (MRN {p['id']}).]",
        "  (fffe,e00d) na (ItemDelimitationItem)",
    ] + content + [
        "(fffe,e0dd) na (SequenceDelimitationItem)",
        "(0040,a375) SQ (Sequence with undefined length)",
        "  (fffe,e000) na (Item with undefined length)",
        f"    (0020,000d) UI [{STUDY_CT}]",
        "    (0008,1115) SQ (Sequence with undefined length)",
        "      (fffe,e000) na (Item with undefined length)",
        f"        (0020,000e) UI [{SERIES_CT}]",
        "        (0008,1199) SQ (Sequence with undefined length)",
    ] + [
        line for ref in references for line in (
            "          (fffe,e000) na (Item with undefined length)",
            f"            (0008,1150) UI [{CT_IMAGE}]",
            f"            (0008,1155) UI [{ref}]",
            "          (fffe,e00d) na (ItemDelimitationItem)",
        )
    ] + [
        "        (fffe,e0dd) na (SequenceDelimitationItem)",
        "      (fffe,e00d) na (ItemDelimitationItem)",
        "    (fffe,e0dd) na (SequenceDelimitationItem)",
        "  (fffe,e00d) na (ItemDelimitationItem)",
        "(fffe,e0dd) na (SequenceDelimitationItem)",
    ]
    return "\n".join(lines) + "\n"


def run(*command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def main():
    for tool in ("dump2dcm", "dcmcjpls", "dcmcrle"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install DCMTK's tools (apt-get install dcmtk)")
    os.makedirs(OUT, exist_ok=True)
    ct = [uid(f"ct-{i}") for i in (1, 2, 3)]
    with tempfile.TemporaryDirectory() as work:
        def build(name, dump, *convert):
            source = os.path.join(work, name + ".dump")
            with open(source, "w") as f:
                f.write(dump)
            target = os.path.join(OUT, name)
            if convert:
                plain = os.path.join(work, name)
                run("dump2dcm", "--line", "100000", "--write-xfer-little", source, plain)
                run(*convert, plain, target)
            else:
                run("dump2dcm", "--line", "100000", "--write-xfer-little", source, target)

        build("CT-head-1.dcm", image_dump("CT", JANE, 1, ct[0], STUDY_CT, SERIES_CT))
        build("CT-head-2.dcm", image_dump("CT", JANE, 2, ct[1], STUDY_CT, SERIES_CT, references=[ct[0]]))
        build("CT-head-3-jpegls.dcm", image_dump("CT", JANE, 3, ct[2], STUDY_CT, SERIES_CT, references=[ct[1]]),
              "dcmcjpls", "--encode-lossless")
        build("MR-head-rle.dcm", image_dump("MR", JOHN, 1, uid("mr-1"), STUDY_MR, SERIES_MR), "dcmcrle")
        build("SR-report.dcm", sr_dump(JANE, uid("sr-1"), ct))
    print(f"wrote 5 sample files to {OUT}")


if __name__ == "__main__":
    main()
