#!/usr/bin/env python3
"""Plants fake PHI into copies of public DICOM test files, for Veil's corpus tests.

usage: plant-phi.py <corpus-dir> <output-dir>

Every planted value is fictitious. The output folder gets:
  planted/<name>.dcm     copies with fake PHI in the preamble, the File Meta Information, top-level
                         attributes, nested sequences, a private block, a UN-encoded public element,
                         SR content, overlays and curves; and references between instances
  broken/<name>          files that must be reported as failed (truncated, corrupt)
  special/<name>         a DICOMDIR (skipped), a bare data set without preamble or meta header and
                         without a file extension (de-identified), an identical second copy of a
                         planted file (found unchanged)
  manifest.json          per file: transfer syntax, SOP class, original UIDs, the instance it
                         references; and the list of planted strings every output must be free of
Needs pydicom (Scripts/fetch-test-corpus.sh puts it on PYTHONPATH).
"""
import json
import os
import shutil
import sys

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import UID

# Files that parse and carry an image or a document: the varied corpus.
CORPUS = {
    "pydicom": [
        "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm",
        "MR_small_implicit.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm",
        "JPEG-lossy.dcm", "JPGExtended.dcm", "JPEG2000.dcm", "JPEGLSNearLossless_16.dcm",
        "SC_rgb_rle_2frame.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_small_odd.dcm",
        "image_dfl.dcm", "liver_1frame.dcm", "rtdose.dcm", "rtplan.dcm", "rtstruct.dcm",
        "test-SR.dcm", "reportsi.dcm", "waveform_ecg.dcm", "examples_overlay.dcm",
        "examples_palette.dcm", "examples_ybr_color.dcm", "nested_priv_SQ.dcm", "priv_SQ.dcm",
        "ExplVR_BigEnd.dcm", "no_meta.dcm",
    ],
    "pydicom-data": [
        "emri_small.dcm", "emri_small_RLE.dcm", "emri_small_big_endian.dcm", "emri_small_jpeg_2k_lossless.dcm", "eCT_Supplemental.dcm",
        "JPEG-LL.dcm", "JPGLosslessP14SV1_1s_1f_8b.dcm", "MR-SIEMENS-DICOM-WithOverlays.dcm",
        "OBXXXX1A_rle_2frame.dcm", "US1_UNCR.dcm", "explicit_VR-UN.dcm", "color3d_jpeg_baseline.dcm",
        "liver.dcm",
    ],
    "deid-data": [
        "humans-ctbrain1.dcm", "ultrasounds-RGB_IMAGE.dcm", "ultrasounds-ultrasound-multiframe.dcm",
        "dicom-cookies-image1.dcm",
    ],
}

# Files that must fail: damaged copies are made from good files below, plus these.
BROKEN = {"pydicom": ["MR_truncated.dcm", "rtplan_truncated.dcm"]}

PATIENTS = [
    {"name": "Quixote^Zebulon^Ambrose", "id": "ZQ-884422", "birth": "19470315",
     "address": "12 Quince Lane Harrowgate", "phone": "555-0199-4321", "other_id": "OTHER-ID-55ZQ",
     "accession": "ACC7781QX"},
    {"name": "Tuppence^Marigold", "id": "MT-115599", "birth": "19620908",
     "address": "7 Ferrow Mews Dunmoor", "phone": "555-0142-8765", "other_id": "OTHER-ID-77MT",
     "accession": "ACC3390MT"},
]
INSTITUTION = "St Quillon Hospital"
SHARED = [
    INSTITUTION, "Quillon Road 44 Brackenfield", "Drfake^Referrer", "Opfake^Technologist",
    "QUILLONCT01", "SN99FAKE01", "RP-4455QX", "SPS-8899QX", "HOSPISSUER77", "QUILLONPACS",
    "Physfake^Performer", "PREAMBLEPHI", "20190312", "20190313", "Fakeobserver^Rex", "CurveQuixote",
]


def planted_strings():
    values = list(SHARED)
    for patient in PATIENTS:
        values += [patient["id"], patient["birth"], patient["address"], patient["phone"],
                   patient["other_id"], patient["accession"]]
        values += [part for part in patient["name"].split("^")]
    return values


def distinctive(value):
    """Original identifiers worth scanning for: long enough not to occur by chance in binary
    data, and not placeholder text some test files already carry."""
    compact = value.replace("^", "").replace(" ", "")
    return len(compact) >= 6 and len(set(compact)) > 2 and "anonym" not in value.lower()


def code_item(value, scheme, meaning):
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def plant(ds, patient, reference):
    if "StudyInstanceUID" not in ds:
        ds.StudyInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[ds.SOPInstanceUID, "study"])
    name = patient["name"]
    given = name.split("^")[1]
    family = name.split("^")[0]
    ds.PatientName = name
    ds.PatientID = patient["id"]
    ds.PatientBirthDate = patient["birth"]
    ds.PatientAddress = patient["address"]
    ds.PatientTelephoneNumbers = patient["phone"]
    other = Dataset()
    other.PatientID = patient["other_id"]
    other.IssuerOfPatientID = "HOSPISSUER77"
    ds.OtherPatientIDsSequence = Sequence([other])
    ds.IssuerOfPatientID = "HOSPISSUER77"
    ds.AccessionNumber = patient["accession"]
    ds.InstitutionName = INSTITUTION
    ds.InstitutionAddress = "Quillon Road 44 Brackenfield"
    ds.ReferringPhysicianName = "Drfake^Referrer"
    ds.OperatorsName = "Opfake^Technologist"
    ds.PerformingPhysicianName = "Physfake^Performer"
    ds.StationName = "QUILLONCT01"
    ds.DeviceSerialNumber = "SN99FAKE01"
    ds.StudyDescription = f"Head scan for {given} {family}"
    ds.ImageComments = f"patient {family} {patient['id']}"
    ds.StudyDate = "20190312"
    ds.SeriesDate = "20190312"
    ds.AcquisitionDate = "20190313"
    ds.StudyTime = "101010"
    # Nested: a request with identifying free text, a reference to the study.
    request = Dataset()
    request.RequestedProcedureDescription = f"{family} follow-up"
    request.RequestedProcedureID = "RP-4455QX"
    request.ScheduledProcedureStepID = "SPS-8899QX"
    request.AccessionNumber = patient["accession"]
    study_reference = Dataset()
    study_reference.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    study_reference.ReferencedSOPInstanceUID = ds.StudyInstanceUID
    request.ReferencedStudySequence = Sequence([study_reference])
    ds.RequestAttributesSequence = Sequence([request])
    # A reference to another instance of the corpus: it must still resolve after de-identification.
    if reference is not None:
        source = Dataset()
        source.ReferencedSOPClassUID = reference[0]
        source.ReferencedSOPInstanceUID = reference[1]
        ds.SourceImageSequence = Sequence([source])
    # A private block at the top level and one nested in a public sequence item.
    block = ds.private_block(0x0019, "VEIL TEST PHI", create=True)
    block.add_new(0x10, "LO", f"{family}^{given}")
    block.add_new(0x11, "DA", patient["birth"])
    nested = request.private_block(0x0029, "VEIL NESTED PHI", create=True)
    nested.add_new(0x01, "LO", patient["id"])
    # A public attribute encoded as UN (readers must still recognise it as Other Patient IDs).
    if not ds.is_implicit_VR:
        ds.add_new(0x00101000, "UN", (patient["other_id"] + " ").encode("ascii")[:16].ljust(16))
    # SR content: a person name and free text deep in the content tree.
    if "ContentSequence" in ds:
        person = Dataset()
        person.RelationshipType = "CONTAINS"
        person.ValueType = "PNAME"
        person.ConceptNameCodeSequence = Sequence([code_item("121008", "DCM", "Person Observer Name")])
        person.PersonName = "Fakeobserver^Rex"
        ds.ContentSequence.append(person)
    # Overlays and curves carry text too.
    if (0x6000, 0x3000) in ds:
        ds.add_new(0x60000022, "LO", f"overlay of {family}")
    ds.add_new(0x50000022, "LO", "CurveQuixote")
    ds.add_new(0x50000005, "US", 1)
    # The File Meta Information and the preamble can carry PHI too (PS3.15 E.1.1).
    ds.file_meta.SourceApplicationEntityTitle = "QUILLONPACS"
    ds.preamble = b"PREAMBLEPHI " + name.encode() + b" " * (128 - 12 - len(name))


def main():
    corpus, output = sys.argv[1], sys.argv[2]
    if os.path.exists(output):
        shutil.rmtree(output)
    os.makedirs(os.path.join(output, "planted"))
    os.makedirs(os.path.join(output, "broken"))
    entries = []
    previous = None
    index = 0
    seen_instances = set()
    for source, names in CORPUS.items():
        for name in names:
            path = os.path.join(corpus, source, name)
            ds = pydicom.dcmread(path, force=True)
            if "SOPInstanceUID" not in ds or "SOPClassUID" not in ds:
                continue
            if not hasattr(ds, "file_meta") or ds.file_meta is None:
                ds.file_meta = pydicom.dataset.FileMetaDataset()
            if "TransferSyntaxUID" not in ds.file_meta:
                ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
            ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            # Several test files are one instance in different transfer syntaxes; a PACS export
            # holds each instance once, so repeats get their own SOP Instance UID.
            if str(ds.SOPInstanceUID) in seen_instances:
                ds.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, source])
            seen_instances.add(str(ds.SOPInstanceUID))
            original_name = str(ds.get("PatientName", "") or "")
            original_id = str(ds.get("PatientID", "") or "")
            patient = PATIENTS[index % len(PATIENTS)]
            plant(ds, patient, previous)
            out_name = f"{index:02d}-{source}-{name}"
            out = os.path.join(output, "planted", out_name)
            ds.save_as(out, enforce_file_format=True)
            entries.append({
                "file": out_name, "source": f"{source}/{name}",
                "transferSyntax": str(ds.file_meta.TransferSyntaxUID), "sopClass": str(ds.SOPClassUID),
                "sopInstanceUID": str(ds.SOPInstanceUID), "studyInstanceUID": str(ds.StudyInstanceUID),
                "patient": patient["id"],
                "references": previous[1] if previous else None,
                # Values of the original file that identify its (fake) patient: also must go.
                "originalIdentifiers": [v for v in (original_name, original_id) if distinctive(v)],
            })
            previous = (str(ds.SOPClassUID), str(ds.SOPInstanceUID))
            index += 1
    # Broken inputs: as shipped, plus truncations and garbage made from a planted file.
    for source, names in BROKEN.items():
        for name in names:
            shutil.copy(os.path.join(corpus, source, name), os.path.join(output, "broken", f"{source}-{name}"))
    good = open(os.path.join(output, "planted", entries[0]["file"]), "rb").read()
    with open(os.path.join(output, "broken", "truncated-in-header.dcm"), "wb") as f:
        f.write(good[:400])
    with open(os.path.join(output, "broken", "truncated-in-pixels.dcm"), "wb") as f:
        f.write(good[:len(good) - 1000])
    with open(os.path.join(output, "broken", "empty.dcm"), "wb") as f:
        pass
    with open(os.path.join(output, "broken", "not-dicom.dcm"), "wb") as f:
        f.write(b"This is a text file pretending to be DICOM.\n" * 20)
    # Special cases: a DICOMDIR, a bare data set (no preamble, no meta, no extension), a duplicate.
    special = os.path.join(output, "special")
    os.makedirs(special)
    shutil.copy(os.path.join(corpus, "pydicom", "DICOMDIR"), os.path.join(special, "DICOMDIR"))
    bare = pydicom.dcmread(os.path.join(corpus, "pydicom", "CT_small.dcm"))
    bare.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["bare data set"])
    plant(bare, PATIENTS[0], None)
    bare.preamble = None
    del bare.file_meta
    pydicom.dcmwrite(os.path.join(special, "IM0001"), bare, enforce_file_format=False, implicit_vr=True,
                     little_endian=True)
    shutil.copy(os.path.join(output, "planted", entries[0]["file"]), os.path.join(special, "duplicate-copy.dcm"))
    with open(os.path.join(output, "manifest.json"), "w") as f:
        json.dump({"files": entries, "plantedStrings": planted_strings(),
                   "pydicom": pydicom.__version__}, f, indent=1)
    print(f"planted PHI into {len(entries)} files in {output}")


if __name__ == "__main__":
    main()
