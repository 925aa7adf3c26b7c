#!/usr/bin/env python3
"""Synthetic series whose volume is known exactly, for the volume assembly tests.

usage: PYTHONPATH=TestData/python python3 Scripts/make-volume-cases.py OUTPUT_FOLDER

Each case is a folder of DICOM files plus truth.json: the affine Veil must compute (origin and
the steps along i, j, k in LPS mm; slices run along row direction × column direction), the slice count, the warnings, and which slices are missing.
Every pixel's real value (stored × slope + intercept) is round(2x + 3y + 5z) of its centre in
patient coordinates, so a test can check each voxel against the affine it reads. No patient
data: names and IDs are synthetic.
"""
import json, math, os, random, shutil, struct, sys

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1"
ROWS, COLUMNS = 24, 32


def value(p):
    return round(2 * p[0] + 3 * p[1] + 5 * p[2])


def add(a, b): return [x + y for x, y in zip(a, b)]
def scale(a, s): return [x * s for x in a]
def cross(a, b): return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
def ds(values): return [f"{v:.10g}" for v in values]


def rotation(ax, ay, az):
    """Rows of R = Rz·Ry·Rx (degrees)."""
    ax, ay, az = (math.radians(a) for a in (ax, ay, az))
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    return [[cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx],
            [sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx],
            [-sy, cy * sx, cy * cx]]


def pixels(origin, row_dir, col_dir, spacing, slope, intercept):
    """Stored values (int16, little-endian) of one frame."""
    out = bytearray()
    for r in range(ROWS):
        for c in range(COLUMNS):
            p = add(origin, add(scale(row_dir, c * spacing[1]), scale(col_dir, r * spacing[0])))
            stored = (value(p) - intercept) / slope
            assert stored == int(stored) and -32768 <= stored < 32768
            out += struct.pack("<h", int(stored))
    return bytes(out)


def base(sop_class, series_uid, study_uid, frame_uid):
    ds_ = Dataset()
    ds_.file_meta = FileMetaDataset()
    ds_.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds_.file_meta.MediaStorageSOPClassUID = sop_class
    ds_.SOPClassUID = sop_class
    ds_.SOPInstanceUID = generate_uid()
    ds_.file_meta.MediaStorageSOPInstanceUID = ds_.SOPInstanceUID
    ds_.StudyInstanceUID, ds_.SeriesInstanceUID, ds_.FrameOfReferenceUID = study_uid, series_uid, frame_uid
    ds_.PatientName, ds_.PatientID, ds_.Modality = "Volume^Case", "VOL-0001", "CT"
    ds_.Rows, ds_.Columns = ROWS, COLUMNS
    ds_.SamplesPerPixel, ds_.PhotometricInterpretation = 1, "MONOCHROME2"
    ds_.BitsAllocated, ds_.BitsStored, ds_.HighBit, ds_.PixelRepresentation = 16, 16, 15, 1
    return ds_


def write(folder, ds_):
    ds_.save_as(os.path.join(folder, f"{random.getrandbits(40):010x}.dcm"), enforce_file_format=True)


def single_frame_series(folder, name, row_dir, col_dir, spacing, positions, rescale=lambda k: (1, -1024),
                        image_type=None, echo=None, series_uid=None, instance=lambda k: k + 1):
    series_uid = series_uid or generate_uid()
    study, frame = generate_uid(), generate_uid()
    for k, origin in enumerate(positions):
        slope, intercept = rescale(k)
        ds_ = base(CT, series_uid, study, frame)
        ds_.ImageType = image_type or ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds_.InstanceNumber = instance(k)
        ds_.ImagePositionPatient = ds(origin)
        ds_.ImageOrientationPatient = ds(row_dir + col_dir)
        ds_.PixelSpacing = ds(spacing)
        ds_.SliceThickness = "1"
        ds_.RescaleSlope, ds_.RescaleIntercept = ds([slope])[0], ds([intercept])[0]
        if echo is not None:
            ds_.EchoNumbers = str(echo)
        ds_.PixelData = pixels(origin, row_dir, col_dir, spacing, slope, intercept)
        write(folder, ds_)
    return series_uid


def truth(folder, origin, row_dir, col_dir, spacing, slice_step, slices, warnings, missing=(), volumes=1):
    with open(os.path.join(folder, "truth.json"), "w") as f:
        json.dump({"origin": origin, "columnStep": scale(row_dir, spacing[1]), "rowStep": scale(col_dir, spacing[0]),
                   "sliceStep": slice_step, "slices": slices, "warnings": warnings, "missing": list(missing),
                   "volumes": volumes}, f, indent=1)


def main(out):
    random.seed(4)
    shutil.rmtree(out, ignore_errors=True)
    axial_row, axial_col = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]
    start = [-12.0, -10.0, -30.0]

    def case(name):
        folder = os.path.join(out, name)
        os.makedirs(folder)
        return folder

    # Instance Numbers shuffled (and descending for half): order must come from positions.
    f = case("shuffled-instance-numbers")
    order = list(range(20)); random.shuffle(order)
    positions = [add(start, [0, 0, 2.5 * k]) for k in range(20)]
    single_frame_series(f, "s", axial_row, axial_col, [0.8, 0.6], positions, instance=lambda k: order[k] + 1)
    truth(f, start, axial_row, axial_col, [0.8, 0.6], [0, 0, 2.5], 20, [])

    # Oblique: rotated about all three axes, anisotropic pixels.
    f = case("oblique")
    r = rotation(17, -23, 31)
    row_dir, col_dir = [r[0][0], r[1][0], r[2][0]], [r[0][1], r[1][1], r[2][1]]
    normal = cross(row_dir, col_dir)
    positions = [add(start, scale(normal, 1.7 * k)) for k in range(16)]
    single_frame_series(f, "s", row_dir, col_dir, [0.9, 0.7], positions)
    truth(f, start, row_dir, col_dir, [0.9, 0.7], scale(normal, 1.7), 16, [])

    # Gantry tilt: image plane tilted 12°, slices stepping along the table (z).
    f = case("gantry-tilt")
    t = math.radians(12)
    col_dir = [0.0, math.cos(t), -math.sin(t)]
    positions = [add(start, [0, 0, 3.0 * k]) for k in range(14)]
    single_frame_series(f, "s", axial_row, col_dir, [0.7, 0.7], positions)
    truth(f, start, axial_row, col_dir, [0.7, 0.7], [0, 0, 3.0], 14, ["gantry-tilt"])

    # One slice missing from a regular stack: the grid stays regular, the slice is NaN.
    f = case("missing-slice")
    positions = [add(start, [0, 0, 2.0 * k]) for k in range(18) if k != 7]
    single_frame_series(f, "s", axial_row, axial_col, [0.6, 0.6], positions)
    truth(f, start, axial_row, axial_col, [0.6, 0.6], [0, 0, 2.0], 18, ["missing-slices"], missing=[7])

    # A second image at an occupied position (a later Instance Number): the first is kept.
    f = case("duplicate-position")
    series = generate_uid()
    positions = [add(start, [0, 0, 2.0 * k]) for k in range(12)]
    single_frame_series(f, "s", axial_row, axial_col, [0.6, 0.6], positions, series_uid=series)
    single_frame_series(f, "s", axial_row, axial_col, [0.6, 0.6], [positions[5]], series_uid=series,
                        rescale=lambda k: (1, -1000), instance=lambda k: 99)
    truth(f, start, axial_row, axial_col, [0.6, 0.6], [0, 0, 2.0], 12, ["duplicate-positions"])

    # Rescale Slope and Intercept different on every slice.
    f = case("per-slice-rescale")
    positions = [add(start, [0, 0, 1.25 * k]) for k in range(12)]
    single_frame_series(f, "s", axial_row, axial_col, [0.5, 0.5], positions,
                        rescale=lambda k: ((1, 0.5, 2)[k % 3] if k % 3 != 2 else 1, -1024 + 7 * k))
    truth(f, start, axial_row, axial_col, [0.5, 0.5], [0, 0, 1.25], 12, [])

    # Sagittal slices, with a localizer in the same series left out.
    f = case("sagittal-with-localizer")
    series = generate_uid()
    sag_row, sag_col = [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]
    positions = [add(start, scale(cross(sag_row, sag_col), 1.1 * k)) for k in range(15)]
    single_frame_series(f, "s", sag_row, sag_col, [0.9, 0.9], positions, series_uid=series)
    single_frame_series(f, "s", axial_row, axial_col, [2.0, 2.0], [start], series_uid=series,
                        image_type=["ORIGINAL", "PRIMARY", "LOCALIZER"], instance=lambda k: 1)
    truth(f, start, sag_row, sag_col, [0.9, 0.9], scale(cross(sag_row, sag_col), 1.1), 15, ["localizers-excluded"])

    # Coronal slices, rows running from head to feet.
    f = case("coronal")
    cor_row, cor_col = [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]
    positions = [add(start, scale(cross(cor_row, cor_col), 1.3 * k)) for k in range(13)]
    single_frame_series(f, "s", cor_row, cor_col, [0.8, 0.7], positions)
    truth(f, start, cor_row, cor_col, [0.8, 0.7], scale(cross(cor_row, cor_col), 1.3), 13, [])

    # Two echoes in one series, interleaved: two volumes.
    f = case("two-echoes")
    series = generate_uid()
    positions = [add(start, [0, 0, 2.0 * k]) for k in range(10)]
    single_frame_series(f, "s", axial_row, axial_col, [1.0, 1.0], positions, series_uid=series, echo=1)
    single_frame_series(f, "s", axial_row, axial_col, [1.0, 1.0], positions, series_uid=series, echo=2,
                        instance=lambda k: 50 + k)
    truth(f, start, axial_row, axial_col, [1.0, 1.0], [0, 0, 2.0], 10, [], volumes=2)

    # Enhanced CT: one file, frames stored in shuffled order, geometry and rescale in functional
    # groups (orientation and pixel measures shared, position and rescale per frame).
    f = case("enhanced-multiframe")
    r = rotation(0, 0, 10)
    row_dir, col_dir = [r[0][0], r[1][0], r[2][0]], [r[0][1], r[1][1], r[2][1]]
    normal = cross(row_dir, col_dir)
    spacing = [0.75, 0.75]
    count = 15
    order = list(range(count)); random.shuffle(order)
    ds_ = base(ENHANCED_CT, generate_uid(), generate_uid(), generate_uid())
    ds_.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL", "NONE"]
    ds_.InstanceNumber = 1
    ds_.NumberOfFrames = count
    shared = Dataset()
    orientation, measures = Dataset(), Dataset()
    orientation.ImageOrientationPatient = ds(row_dir + col_dir)
    measures.PixelSpacing, measures.SliceThickness = ds(spacing), "1.5"
    shared.PlaneOrientationSequence, shared.PixelMeasuresSequence = Sequence([orientation]), Sequence([measures])
    ds_.SharedFunctionalGroupsSequence = Sequence([shared])
    frames, data = [], bytearray()
    for k in order:
        origin = add(start, scale(normal, 1.5 * k))
        slope, intercept = (1, -1024) if k % 2 else (0.5, -1000 + k)
        item, position, transform = Dataset(), Dataset(), Dataset()
        position.ImagePositionPatient = ds(origin)
        transform.RescaleSlope, transform.RescaleIntercept, transform.RescaleType = ds([slope])[0], ds([intercept])[0], "HU"
        item.PlanePositionSequence, item.PixelValueTransformationSequence = Sequence([position]), Sequence([transform])
        frames.append(item)
        data += pixels(origin, row_dir, col_dir, spacing, slope, intercept)
    ds_.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds_.PixelData = bytes(data)
    write(f, ds_)
    truth(f, start, row_dir, col_dir, spacing, scale(normal, 1.5), count, [])


if __name__ == "__main__":
    main(sys.argv[1])
