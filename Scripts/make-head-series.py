#!/usr/bin/env python3
"""Head series with faces, for the defacing tests and benchmark: no real patient data.

usage: python3 Scripts/make-head-series.py PYDEFACE_WHEEL OUTPUT_FOLDER [COUNT]

The head is pydeface's mean_reg2mean.nii.gz (MIT licence; an average of registered heads, full
face), a different head from the Colin27 atlas Veil registers. Each case puts it in a random pose
(rotation ±20° about each axis, scale ±15 %, shift ±15 mm) and acquires it axially, sagittally or
coronally, as MR or as a pseudo-CT in Hounsfield units (tissue from the MR intensities, a skull
shell around the brain, a couch under the head), with noise and, for some, the neck or the top
of the head outside the field of view.

Truth, in each case's voxel grid (i fastest, then j, then k along the slice normal), as packed
bits: brain.bits (the brain, generously: morphological extraction closed and filled) and
face.bits (pydeface's facemask, inside the head). truth.json holds the pose and the counts.
Needs numpy and scipy, and pydicom on PYTHONPATH.
"""
import json, math, os, shutil, sys, zipfile, gzip
import numpy as np
from scipy import ndimage

from nifti_io import load_nifti
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

MR_CLASS, CT_CLASS = "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.2"


def largest(mask):
    labels, count = ndimage.label(mask)
    return mask if count == 0 else labels == np.bincount(labels.ravel())[1:].argmax() + 1


def source_head(wheel):
    with zipfile.ZipFile(wheel) as z:
        image, srow = load_nifti(gzip.decompress(z.read('pydeface/data/mean_reg2mean.nii.gz')))
        facemask, _ = load_nifti(gzip.decompress(z.read('pydeface/data/facemask.nii.gz')))
    head = largest(ndimage.binary_fill_holes(ndimage.binary_closing(image > 0.25 * np.percentile(image[image > 20], 50), iterations=3)))
    brain = (image > np.percentile(image[head], 45)) & head
    brain = largest(ndimage.binary_erosion(brain, iterations=5))
    brain = ndimage.binary_dilation(brain, iterations=6) & head
    brain = ndimage.binary_closing(brain, iterations=8)
    for x in range(brain.shape[0]):
        brain[x] = ndimage.binary_fill_holes(brain[x])
    face = (facemask < 0.5) & head
    return image, srow, head, brain, face


def rotation(ax, ay, az):
    ax, ay, az = (math.radians(a) for a in (ax, ay, az))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def pseudo_ct(image, head, brain):
    """Hounsfield units: air, soft tissue and brain from the MR, a skull shell around the brain."""
    hu = np.where(head, 40.0, -1000.0)
    hu = np.where(brain, 25.0 + 15.0 * (image > np.percentile(image[brain], 50)), hu)
    skull = ndimage.binary_dilation(brain, iterations=9) & ~ndimage.binary_dilation(brain, iterations=3) & \
        ndimage.binary_erosion(head, iterations=3)
    return np.where(skull, 1100.0, hu).astype(np.float32)


def packbits(mask):
    return np.packbits(mask.transpose(2, 1, 0).ravel().astype(np.uint8), bitorder='little').tobytes()


def make_case(folder, n, rng, source):
    image, srow, head, brain, face = source
    modality = 'CT' if n % 3 == 2 else 'MR'
    plane = ['axial', 'sagittal', 'coronal'][(n // 3) % 3] if n < 27 else ['axial', 'sagittal', 'coronal'][n % 3]
    truncation = ['none', 'neck', 'top', 'none'][n % 4]
    angles = rng.uniform(-20, 20, 3)
    scale = rng.uniform(0.85, 1.15)
    shift = rng.uniform(-15, 15, 3)
    noise = [0.0, 0.02, 0.05][n % 3]
    rotation_ = rotation(*angles)

    # Source voxel -> LPS mm (source sform is RAS).
    to_lps = np.diag([-1.0, -1.0, 1.0])
    source_affine = np.vstack([srow, [0, 0, 0, 1]])
    centre_vox = (np.array(image.shape) - 1) / 2
    centre = to_lps @ (source_affine[:3, :3] @ centre_vox + source_affine[:3, 3])

    def pose(p):  # source LPS point -> posed LPS point
        return (p - centre) @ (scale * rotation_).T + centre + shift

    # The field of view: the posed head's bounding box plus air, in the acquisition's axes.
    head_points = np.argwhere(head[::4, ::4, ::4]) * 4
    head_lps = (head_points @ source_affine[:3, :3].T + source_affine[:3, 3]) @ to_lps.T
    posed = pose(head_lps)
    low, high = posed.min(0) - 12, posed.max(0) + 12
    if modality == 'CT':
        high[1] += 24   # room for the couch behind the head
    if truncation == 'neck':
        low[2] += 0.25 * (high[2] - low[2])
    elif truncation == 'top':
        high[2] -= 15
    axes = {'axial': ([1, 0, 0], [0, 1, 0]), 'sagittal': ([0, 1, 0], [0, 0, -1]), 'coronal': ([1, 0, 0], [0, 0, -1])}[plane]
    row_dir, col_dir = np.array(axes[0], float), np.array(axes[1], float)
    normal = np.cross(row_dir, col_dir)
    in_plane, slice_spacing = rng.choice([1.2, 1.5, 1.8]), rng.choice([1.5, 2.0, 2.5])
    extent = lambda d: (np.minimum(d * low, d * high).sum(), np.maximum(d * low, d * high).sum())
    (c0, c1), (r0, r1), (s0, s1) = extent(row_dir), extent(col_dir), extent(normal)
    columns, rows = int((c1 - c0) / in_plane) + 1, int((r1 - r0) / in_plane) + 1
    slices = int((s1 - s0) / slice_spacing) + 1
    origin = row_dir * c0 + col_dir * r0 + normal * s0

    ii, jj, kk = np.meshgrid(np.arange(columns), np.arange(rows), np.arange(slices), indexing='ij')
    points = origin + ii[..., None] * in_plane * row_dir + jj[..., None] * in_plane * col_dir + kk[..., None] * slice_spacing * normal
    # Posed point -> source LPS -> source voxel.
    unposed = (points - centre - shift) @ np.linalg.inv(scale * rotation_).T + centre
    source_ras = unposed @ to_lps.T
    inverse = np.linalg.inv(source_affine)
    voxel = source_ras @ inverse[:3, :3].T + inverse[:3, 3]
    coords = [voxel[..., a] for a in range(3)]
    sample = lambda volume, order, fill: ndimage.map_coordinates(volume, coords, order=order, mode='constant', cval=fill)
    if modality == 'CT':
        values = sample(pseudo_ct(image, head, brain), 1, -1000.0)
        values += rng.normal(0, 1, values.shape) * noise * 400
        # A couch: a plate 12 mm behind the head's back, across the field of view.
        back = points[..., 1] > (posed[:, 1].max() + 10)
        values = np.where(back & (points[..., 1] < posed[:, 1].max() + 16), 250.0, values)
        slope, intercept = 1.0, -1024.0
    else:
        values = sample(image, 1, 0.0)
        values = np.abs(values + rng.normal(0, 1, values.shape) * noise * 300)
        slope, intercept = 1.0, 0.0
    stored = np.clip(np.round((values - intercept) / slope), -32768, 32767).astype(np.int16)
    truth_brain = sample(brain.astype(np.float32), 0, 0) > 0.5
    truth_face = sample(face.astype(np.float32), 0, 0) > 0.5

    os.makedirs(folder)
    series, study, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(slices):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CT_CLASS if modality == 'CT' else MR_CLASS
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.PatientName, ds.PatientID = f"Head^Phantom{n:02d}", f"HEAD-{n:04d}"
        ds.Modality = modality
        ds.BodyPartExamined = 'HEAD' if n % 5 else ''
        ds.SeriesDescription = f'synthetic head {plane}'
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL' if plane == 'axial' else 'OTHER']
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [f'{v:.6f}' for v in origin + k * slice_spacing * normal]
        ds.ImageOrientationPatient = [f'{v:.6f}' for v in list(row_dir) + list(col_dir)]
        ds.PixelSpacing = [f'{in_plane}', f'{in_plane}']
        ds.SliceThickness = f'{slice_spacing}'
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = f'{slope:g}', f'{intercept:g}'
        ds.PixelData = stored[:, :, k].T.tobytes()
        ds.save_as(os.path.join(folder, f'slice{k:04d}.dcm'), enforce_file_format=True)
    open(os.path.join(folder, 'brain.bits'), 'wb').write(packbits(truth_brain))
    open(os.path.join(folder, 'face.bits'), 'wb').write(packbits(truth_face))
    truth = {'modality': modality, 'plane': plane, 'truncation': truncation, 'angles': list(angles), 'scale': scale,
             'size': [columns, rows, slices], 'brainVoxels': int(truth_brain.sum()), 'faceVoxels': int(truth_face.sum()),
             'background': -1000.0 if modality == 'CT' else 0.0}
    json.dump(truth, open(os.path.join(folder, 'truth.json'), 'w'), indent=1)
    return truth


def main():
    wheel, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    shutil.rmtree(out, ignore_errors=True)
    source = source_head(wheel)
    rng = np.random.default_rng(2019)
    for n in range(count):
        truth = make_case(os.path.join(out, f'head{n:02d}'), n, rng, source)
        print(f"head{n:02d}: {truth['modality']} {truth['plane']} {truth['truncation']} size {truth['size']}", flush=True)
    open(os.path.join(out, 'complete'), 'w').write(str(count))


if __name__ == '__main__':
    main()
