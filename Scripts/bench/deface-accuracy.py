#!/usr/bin/env python3
"""Defacing accuracy harness (issue #14): an independent yardstick for `veil deface`.

usage: nice -n 10 python3 Scripts/bench/deface-accuracy.py [--veil PATH] [--work /work/deface-eval]
           [--cases REGEX] [--images] [--fresh]

For every source head (the real heads in /work/shared/data/heads, Colin27 from Debian's
mricron-data, pydeface's average head), reference masks are made once without Veil
(deface_eval_refs.py: template registration with SimpleITK). Each head is then written as DICOM
series in known poses (axial as it is, ±25° pitch, ±15° roll and yaw, sagittal and coronal
acquisition, prone, feet-first, neck and top cuts, pseudo-CT, a T2-like inversion of the T1
heads); the reference masks are carried through the same ground-truth transform. Each series is
defaced by the veil binary as a black box, and the output compared voxel by voxel with the input.
Face detection: dlib's HOG frontal face detector (face_detect.cpp, built once with g++ against
Debian's libdlib-dev) on shaded surface renderings from the front and 35° to either side.

Prints one table and a summary; writes WORK/results.json. Needs numpy, scipy, SimpleITK,
pydicom, nilearn (for its bundled MNI152 brain mask; installed with --no-deps), Pillow (--images).
See docs/deface-accuracy.md.
"""
import argparse, glob, json, math, os, re, shutil, subprocess, sys, time
import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
import deface_eval_refs as refs        # noqa: E402
import deface_eval_render as rnd       # noqa: E402

import pydicom                                          # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset    # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid   # noqa: E402

MR_CLASS, CT_CLASS = "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.2"
VIEWS = (0, -35, 35)

# head -> variants. Every variant but yaw-15 appears on at least two heads.
PLAN = {
    'T1_head_ext2': ['axial', 'pitch+25', 'sagittal', 'prone', 'neckcut', 'ct', 't2like'],
    'otsu': ['axial', 'pitch-25', 'roll-15', 'coronal', 'prone', 'ct', 't2like'],
    'pydeface': ['axial', 'roll+15', 'yaw+15', 'sagittal', 'neckcut', 'topcut', 'ct-pitch+25'],
    'MNI152_T1_2mm': ['axial', 'yaw+15', 'sagittal', 'topcut', 'ct', 'roll-15'],
    'T2w': ['axial', 'pitch-25', 'roll+15', 'coronal', 'feetfirst'],
    'colin27': ['axial', 'pitch+25', 'yaw-15', 'feetfirst', 'topcut', 't2like', 'ct'],
}
# Source heads whose reference is doubtful (see docs/deface-accuracy.md); their rows carry a dagger.
REF_NOTES = {
    'T2w': 'T2w: brain reference affine only and 3-5 mm tight at the frontal cortex; a 120 mm slab',
}
SHORT = {'T1_head_ext2': 't1ext', 'T2w': 't2w', 'MNI152_T1_2mm': 'mni', 'otsu': 'otsu', 'colin27': 'colin',
         'pydeface': 'pyd'}


def rotation(axis, deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    if axis == 'x':
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == 'y':
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def variant_spec(variant):
    """(rotation 3x3 in LPS about the head centre, plane, patient position, modality, contrast, cut)."""
    R, plane, position, modality, contrast, cut = np.eye(3), 'axial', 'HFS', 'MR', 'native', 'none'
    for part in variant.split('-') if variant.startswith('ct-') else [variant]:
        m = re.match(r'(pitch|roll|yaw)([+-]\d+)$', part)
        if m:
            # pitch: about the left-right axis (+ = chin towards the chest); roll: about the
            # front-back axis; yaw: about the head's long axis.
            R = rotation({'pitch': 'x', 'roll': 'y', 'yaw': 'z'}[m.group(1)], float(m.group(2))) @ R
        elif part in ('sagittal', 'coronal'):
            plane = part
        elif part == 'prone':
            position = 'HFP'
        elif part == 'feetfirst':
            position = 'FFS'
        elif part == 'ct':
            modality = 'CT'
        elif part == 't2like':
            contrast = 't2like'
        elif part in ('neckcut', 'topcut'):
            cut = part
    return R, plane, position, modality, contrast, cut


def acquisition_axes(plane, position):
    """Row and column directions (LPS) as a scanner writes them for the plane and patient position."""
    if plane == 'sagittal':
        return np.array([0, 1.0, 0]), np.array([0, 0, -1.0])
    if plane == 'coronal':
        return np.array([1.0, 0, 0]), np.array([0, 0, -1.0])
    if position == 'HFP':
        return np.array([-1.0, 0, 0]), np.array([0, -1.0, 0])
    if position == 'FFS':
        return np.array([-1.0, 0, 0]), np.array([0, 1.0, 0])
    return np.array([1.0, 0, 0]), np.array([0, 1.0, 0])


def pseudo_ct(image, head, brain, spacing):
    """Hounsfield units: air, soft tissue, brain from the MR, a skull shell 3–9 mm around the brain
    (as Scripts/fixtures/make-head-series.py, in millimetres)."""
    sp = np.array(spacing)
    hu = np.where(head, 40.0, -1000.0)
    hu = np.where(brain, 25.0 + 15.0 * (image > np.percentile(image[brain], 50)), hu)
    dist_out = ndimage.distance_transform_edt(~brain, sampling=sp)
    inner = ndimage.distance_transform_edt(head, sampling=sp)
    skull = (dist_out > 3) & (dist_out <= 9) & (inner > 3)
    return np.where(skull, 1100.0, hu).astype(np.float32)


def make_case(folder, name, variant, source, n):
    vol, affine, head, brain, face, info = source
    R, plane, position, modality, contrast, cut = variant_spec(variant)
    spacing = np.array(info['spacing'])
    centre = affine[:3, :3] @ ((np.array(vol.shape) - 1) / 2) + affine[:3, 3]
    pts = np.argwhere(head[::3, ::3, ::3]) * 3
    head_lps = pts @ affine[:3, :3].T + affine[:3, 3]
    centre = head_lps.mean(0)
    pose = np.eye(4)          # anatomical LPS -> posed LPS
    pose[:3, :3] = R
    pose[:3, 3] = centre - R @ centre
    posed = head_lps @ R.T + pose[:3, 3]
    low, high = posed.min(0) - 10, posed.max(0) + 10
    if modality == 'CT':
        high[1] += 20
    if cut == 'neckcut':      # the field of view starts 10 mm below the chin (the reference face's lowest point)
        fpts = np.argwhere(face[::2, ::2, ::2]) * 2 @ affine[:3, :3].T + affine[:3, 3]
        low[2] = max(low[2], (fpts @ R.T + pose[:3, 3])[:, 2].min() - 10)
    elif cut == 'topcut':
        high[2] -= 25
    row_dir, col_dir = acquisition_axes(plane, position)
    normal = np.cross(row_dir, col_dir)
    in_plane = max(1.0, float(min(spacing)))
    thick = max(1.0, float(max(spacing)))
    if modality == 'CT':
        in_plane, thick = max(in_plane, 1.0), max(thick, 1.5)
    extent = lambda d: (np.minimum(d * low, d * high).sum(), np.maximum(d * low, d * high).sum())
    (c0, c1), (r0, r1), (s0, s1) = extent(row_dir), extent(col_dir), extent(normal)
    columns, rows = int((c1 - c0) / in_plane) + 1, int((r1 - r0) / in_plane) + 1
    slices = int((s1 - s0) / thick) + 1
    origin = row_dir * c0 + col_dir * r0 + normal * s0
    case_affine = np.eye(4)
    case_affine[:3, 0], case_affine[:3, 1], case_affine[:3, 2] = row_dir * in_plane, col_dir * in_plane, normal * thick
    case_affine[:3, 3] = origin

    # case voxel -> posed LPS -> anatomical LPS -> source voxel
    m = np.linalg.inv(affine) @ np.linalg.inv(pose) @ case_affine
    ii, jj, kk = np.meshgrid(np.arange(columns), np.arange(rows), np.arange(slices), indexing='ij')
    coords = np.stack([ii, jj, kk], 0).reshape(3, -1).astype(np.float32)
    src = (m[:3, :3] @ coords + m[:3, 3:4]).astype(np.float32)
    shape = (columns, rows, slices)
    sample = lambda v, order, fill: ndimage.map_coordinates(v, src, order=order, mode='constant', cval=fill).reshape(shape)

    p99 = np.percentile(vol[head], 99)
    if contrast == 't2like':
        inv = 0.15 * p99 + 0.85 * (p99 - np.clip(vol, 0, p99))
        image = np.where(head, inv, np.clip(vol, 0, 0.05 * p99)).astype(np.float32)
    else:
        image = vol
    if modality == 'CT':
        values = sample(pseudo_ct(vol, head, brain, spacing), 1, -1000.0)
        lps = case_affine[:3, :3] @ coords + case_affine[:3, 3:4]
        couch_y = posed[:, 1].max() + 8
        couch = ((lps[1] > couch_y) & (lps[1] < couch_y + 6)).reshape(shape)
        values = np.where(couch, 250.0, values)
        values += np.random.default_rng(n).normal(0, 8, values.shape)
        slope, intercept = 1.0, -1024.0
    else:
        values = sample(image, 1, 0.0) * (1000.0 / p99)
        slope, intercept = 1.0, 0.0
    stored = np.clip(np.round((values - intercept) / slope), -32768, 32767).astype(np.int16)
    masks = {k: sample(v.astype(np.float32), 1, 0.0) > 0.5 for k, v in (('brain', brain), ('face', face), ('head', head))}

    os.makedirs(folder, exist_ok=True)
    series, study, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(slices):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CT_CLASS if modality == 'CT' else MR_CLASS
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.PatientName, ds.PatientID = f"Accuracy^{SHORT[name]}", f"ACC-{n:04d}"
        ds.StudyDate, ds.Modality = '20260101', modality
        ds.BodyPartExamined = 'HEAD'
        ds.PatientPosition = position
        ds.SeriesDescription = f'accuracy {name} {variant}'
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL' if plane == 'axial' else 'OTHER']
        ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
        ds.ImagePositionPatient = [f'{v:.4f}' for v in origin + k * thick * normal]
        ds.ImageOrientationPatient = [f'{v:.6f}' for v in list(row_dir) + list(col_dir)]
        ds.PixelSpacing = [f'{in_plane:g}', f'{in_plane:g}']
        ds.SliceThickness = f'{thick:g}'
        ds.SpacingBetweenSlices = f'{thick:g}'
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = f'{slope:g}', f'{intercept:g}'
        if modality == 'CT':
            ds.RescaleType = 'HU'
        ds.PixelData = stored[:, :, k].T.tobytes()
        ds.save_as(os.path.join(folder, f'slice{k:04d}.dcm'), enforce_file_format=True)
    np.savez_compressed(folder + '.truth.npz', brain=masks['brain'], face=masks['face'], head=masks['head'],
                        pose=pose, case_affine=case_affine)
    meta = {'plane': plane, 'position': position, 'modality': modality, 'contrast': contrast, 'cut': cut,
            'size': [columns, rows, slices], 'spacing': [in_plane, in_plane, thick]}
    json.dump(meta, open(folder + '.json', 'w'))
    return meta


def read_series(files):
    """(volume [i, j, k] of rescaled values, 4x4 affine) from DICOM files, sorted by position."""
    dss = [pydicom.dcmread(f) for f in files]
    iop = np.array(dss[0].ImageOrientationPatient, float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    dss.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), normal)))
    vol = np.stack([d.pixel_array.T.astype(np.float32) * float(getattr(d, 'RescaleSlope', 1)) +
                    float(getattr(d, 'RescaleIntercept', 0)) for d in dss], -1)
    ps = [float(x) for x in dss[0].PixelSpacing]
    p0 = np.array(dss[0].ImagePositionPatient, float)
    dz = (np.dot(np.array(dss[-1].ImagePositionPatient, float) - p0, normal) / (len(dss) - 1)) if len(dss) > 1 else 1
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2], affine[:3, 3] = row * ps[1], col * ps[0], normal * dz, p0
    return vol, affine


def closest_cut(removed, brain, spacing, within=20.0):
    """Smallest distance (mm) from a removed tissue voxel to the reference brain; None when no
    tissue was removed, `within` when none is closer than that."""
    if not removed.any():
        return None
    idx = np.argwhere(removed)
    pad = np.ceil(within / np.array(spacing)).astype(int)
    lo = np.maximum(idx.min(0) - pad, 0)
    hi = np.minimum(idx.max(0) + pad + 1, removed.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi))
    if not brain[box].any():
        return within
    d = ndimage.distance_transform_edt(~brain[box], sampling=spacing)
    return float(min(within, d[removed[box]].min()))


def cut_depth(removed_brain, brain, spacing):
    """How deep (mm) inside the reference brain the deepest removed voxel lies: about one voxel
    means disagreement at the mask's edge, more means a cut into the brain."""
    idx = np.argwhere(removed_brain)
    pad = 30
    lo = np.maximum(idx.min(0) - pad, 0)
    hi = np.minimum(idx.max(0) + pad + 1, brain.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi))
    d = ndimage.distance_transform_edt(np.pad(brain[box], 1, constant_values=True), sampling=spacing)[1:-1, 1:-1, 1:-1]
    return float(d[removed_brain[box]].max())


def tissue_threshold(vol, modality):
    if modality == 'CT':
        return -400.0
    v = vol[vol > np.percentile(vol, 2)]
    return 0.5 * refs.otsu(v)


def renders(vol, affine, pose, centre, threshold):
    inv = np.linalg.inv(affine)
    return {f'v{a:+d}': rnd.shade(rnd.render(vol, inv, centre, threshold, a, pose)) for a in VIEWS}


def run_veil(veil, key, case_dir, out_dir, q_dir):
    for d in (out_dir, q_dir):
        shutil.rmtree(d, ignore_errors=True)
    t = time.monotonic()
    p = subprocess.run(['nice', '-n', '10', veil, 'deface', case_dir, '-o', out_dir, '--key-file', key,
                        '--quarantine', q_dir], capture_output=True, text=True)
    seconds = time.monotonic() - t
    records = []
    mpath = os.path.join(out_dir, 'manifest.jsonl')
    if os.path.exists(mpath):
        for line in open(mpath):
            r = json.loads(line)
            if r.get('type') == 'file':
                records.append(r)
    return p.returncode, seconds, records, p.stderr[-400:]


def evaluate(case, case_dir, veil, key, work, detector, images_for):
    meta = json.load(open(case_dir + '.json'))
    truth = np.load(case_dir + '.truth.npz')
    brain, face, head = truth['brain'], truth['face'], truth['head']
    pose, case_affine = truth['pose'], truth['case_affine']
    out_dir = os.path.join(work, 'out', case)
    q_dir = os.path.join(work, 'quarantine', case)
    rc, seconds, records, stderr = run_veil(veil, key, case_dir, out_dir, q_dir)
    written = [r for r in records if r.get('status') == 'written']
    failed = [r for r in records if r.get('status') == 'failed']
    vin, ain = read_series(sorted(glob.glob(os.path.join(case_dir, '*.dcm'))))
    row = {'case': case, 'modality': meta['modality'], 'plane': meta['plane'], 'position': meta['position'],
           'seconds': seconds, 'faceVoxels': int(face.sum()), 'brainVoxels': int(brain.sum()), 'rc': rc}
    threshold = tissue_threshold(vin, meta['modality'])
    hpts = np.argwhere(head[::2, ::2, ::2]) * 2
    centre_posed = (hpts @ case_affine[:3, :3].T + case_affine[:3, 3]).mean(0)
    centre = np.linalg.inv(pose)[:3, :3] @ centre_posed + np.linalg.inv(pose)[:3, 3]
    centre = centre + np.array([0, -20.0, -25.0])     # aim at the face rather than the head's middle
    before = renders(vin, ain, pose, centre, threshold)
    found, scores = rnd.detect(detector, before)
    row['detectedBefore'] = any(found.values())
    row['detectedBeforeViews'] = [k for k, v in found.items() if v]
    if written and not failed:
        out_files = [os.path.join(out_dir, r['output']) for r in written]
        vout, aout = read_series(out_files)
        if vout.shape != vin.shape or not np.allclose(aout, ain, atol=1e-3):
            row['outcome'] = 'written, geometry changed'
            row['geometryChanged'] = True
        else:
            changed = vout != vin
            bg = float(vout[changed].min()) if changed.any() else float(vin.min())
            removed_face = face & ((vout <= bg) | changed)
            row['brainRemoved'] = int((changed & brain).sum())
            row['closestCutMm'] = closest_cut(changed & head, brain, meta['spacing'])
            if row['brainRemoved']:
                row['brainRemovedDepthMm'] = cut_depth(changed & brain, brain, meta['spacing'])
            row['faceRemovedPct'] = 100.0 * removed_face.sum() / max(1, face.sum())
            row['changedVoxels'] = int(changed.sum())
            row['outcome'] = 'written'
            after = renders(vout, aout, pose, centre, threshold)
            found_after, scores_after = rnd.detect(detector, after)
            row['detectedAfter'] = any(found_after.values())
            row['detectedAfterViews'] = [k for k, v in found_after.items() if v]
            row['detectedAfterScore'] = max([x for v in scores_after.values() for x in v], default=None)
            os.makedirs(os.path.join(work, 'renders'), exist_ok=True)
            for view, img in after.items():
                rnd.write_pgm(os.path.join(work, 'renders', f'{case}.out.{view}.pgm'), img)
            if case in images_for:
                np.savez_compressed(os.path.join(work, 'pictures', case + '.npz'), vin=vin, vout=vout, brain=brain,
                                    face=face, before=before['v+0'], after=after['v+0'], pose=pose,
                                    case_affine=case_affine, outcome=row['outcome'])
    else:
        reasons = sorted({r.get('reason', '?') for r in failed}) or [f'exit {rc}']
        row['outcome'] = 'quarantined: ' + ','.join(reasons) if failed else f'no output (exit {rc}): {stderr.strip()[-80:]}'
        if case in images_for:     # nothing written: the picture shows the input only
            np.savez_compressed(os.path.join(work, 'pictures', case + '.npz'), vin=vin, vout=vin, brain=brain,
                                face=face, before=before['v+0'], after=np.zeros_like(before['v+0']), pose=pose,
                                case_affine=case_affine, outcome=row['outcome'])
    for k in ('before',):
        os.makedirs(os.path.join(work, 'renders'), exist_ok=True)
        for view, img in before.items():
            rnd.write_pgm(os.path.join(work, 'renders', f'{case}.in.{view}.pgm'), img)
    return row


def fmt_table(rows):
    head = ['case', 'plane/pose', 'mod', 'brain vox removed', 'closest cut to brain mm', 'face removed %', 'face det. before',
            'face det. after', 'outcome', 's']
    lines = []
    for r in rows:
        dagger = ' †' if r['case'].split('-')[0] in REF_NOTES else ''
        lines.append([r['case'] + dagger, r['pose'], r['modality'],
                      (str(r['brainRemoved']) + (f" (to {r['brainRemovedDepthMm']:.1f} mm deep)" if r.get('brainRemovedDepthMm') else ''))
                      if 'brainRemoved' in r else '—',
                      ('—' if r.get('closestCutMm') is None else ('>= 20' if r['closestCutMm'] >= 20 else f"{r['closestCutMm']:.1f}")),
                      f"{r['faceRemovedPct']:.1f}" if 'faceRemovedPct' in r else '—',
                      (('yes ' + '/'.join(r['detectedBeforeViews'])) if r['detectedBefore'] else 'no')
                      + ('' if r.get('faceVisible', True) else f" (face {100 * r['faceInFieldOfView']:.0f}% in FOV)"),
                      (('YES ' + '/'.join(r['detectedAfterViews']) + f" ({r['detectedAfterScore']:.2f})") if r['detectedAfter'] else 'no')
                      if 'detectedAfter' in r else '—',
                      r['outcome'], f"{r['seconds']:.1f}"])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    out = ['| ' + ' | '.join(h.ljust(w) for h, w in zip(head, widths)) + ' |',
           '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    out += ['| ' + ' | '.join(c.ljust(w) for c, w in zip(l, widths)) + ' |' for l in lines]
    notes = sorted({REF_NOTES[r['case'].split('-')[0]] for r in rows if r['case'].split('-')[0] in REF_NOTES})
    out += ['† ' + n for n in notes]
    return '\n'.join(out)


def summary(rows):
    written = [r for r in rows if 'faceRemovedPct' in r]
    face = np.array([r['faceRemovedPct'] for r in written]) if written else np.array([np.nan])
    face_all = np.array([r.get('faceRemovedPct', 0.0) for r in rows])
    visible = [r for r in rows if r.get('faceVisible', True)]
    det_in = sum(r['detectedBefore'] for r in visible)
    det_out = [r for r in written if r.get('detectedAfter')]
    q = [r for r in rows if r['outcome'].startswith('quarantined')]
    lines = [
        f"cases: {len(rows)}; written {len(written)}, quarantined {len(q)}, other {len(rows) - len(written) - len(q)}",
        f"face voxels removed (written series): median {np.median(face):.1f}%, 5th percentile {np.percentile(face, 5):.1f}%, "
        f"lowest {face.min():.1f}%   (target: median >= 95%, 5th pct >= 90%)",
        f"face voxels removed (all series, quarantined counted as 0%): median {np.median(face_all):.1f}%, "
        f"5th percentile {np.percentile(face_all, 5):.1f}%",
        f"brain voxels removed, total over written series: {sum(r.get('brainRemoved', 0) for r in rows)} "
        f"(in {sum(1 for r in rows if r.get('brainRemoved', 0) > 0)} series; target 0); closest cut to the reference brain: "
        f"{min([r['closestCutMm'] for r in rows if r.get('closestCutMm') is not None], default=float('nan')):.1f} mm",
        f"face detected on inputs where the face is in the field of view (>= 80% of it): {det_in}/{len(visible)} = "
        f"{100.0 * det_in / max(1, len(visible)):.0f}% (target >= 80%); on all inputs: {sum(r['detectedBefore'] for r in rows)}/{len(rows)}",
        f"face detected on outputs: {len(det_out)}/{len(written)} (target 0)",
        f"seconds per series (veil deface, whole run incl. DICOM I/O): median {np.median([r['seconds'] for r in rows]):.1f}",
    ]
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--veil', default='/work/main/.build/release/veil')
    ap.add_argument('--work', default='/work/deface-eval')
    ap.add_argument('--cases', default='.', help='regular expression on case names')
    ap.add_argument('--images', action='store_true', help='write docs/images/deface-<case>.png for three cases')
    ap.add_argument('--fresh', action='store_true', help='regenerate the cases (reference masks stay cached)')
    ap.add_argument('--report', action='store_true', help='only print the table of the last run (WORK/results.json)')
    args = ap.parse_args()
    if args.report:
        rows = json.load(open(os.path.join(os.path.abspath(args.work), 'results.json')))
        print(fmt_table(rows))
        print()
        print(summary(rows))
        return
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.join(work, 'pictures'), exist_ok=True)
    t_start = time.monotonic()

    detector = os.path.join(work, 'face_detect')
    if not os.path.exists(detector):
        subprocess.run(['g++', '-O2', '-o', detector, os.path.join(HERE, 'face_detect.cpp'), '-ldlib',
                        '/lib/x86_64-linux-gnu/liblapack.so.3', '/lib/x86_64-linux-gnu/libblas.so.3'], check=True)
    # A snapshot of the binary, so that a rebuild during the run does not mix two defacers.
    import hashlib
    digest = hashlib.sha256(open(args.veil, 'rb').read()).hexdigest()
    built = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(os.path.getmtime(args.veil)))
    snapshot = os.path.join(work, f'veil-{digest[:12]}')
    if not os.path.exists(snapshot):
        shutil.copy2(args.veil, snapshot)
    args.veil = snapshot
    print(f'veil: {args.veil} (sha256 {digest[:12]}, built {built})')
    key = os.path.join(work, 'accuracy.key')
    if not os.path.exists(key):
        subprocess.run([args.veil, 'keygen', key], check=True, capture_output=True)

    paths = refs.source_paths(work)
    rows, n = [], 0
    picture_cases = {'otsu-axial', 'T1_head_ext2-axial', 'MNI152_T1_2mm-roll-15', 'colin27-feetfirst'}
    for name, variants in PLAN.items():
        source = None
        for variant in variants:
            n += 1
            case = f'{name}-{variant}'
            if not re.search(args.cases, case):
                continue
            if source is None:
                t = time.monotonic()
                source = refs.make_reference(name, paths[name], work)
                print(f'# reference {name}: {json.dumps(source[-1])} ({time.monotonic() - t:.0f} s)', file=sys.stderr, flush=True)
            case_dir = os.path.join(work, 'cases', case)
            if args.fresh or not os.path.exists(case_dir + '.truth.npz'):
                shutil.rmtree(case_dir, ignore_errors=True)
                make_case(case_dir, name, variant, source, n)
            row = evaluate(case, case_dir, args.veil, key, work, detector, picture_cases)
            row['pose'] = f"{json.load(open(case_dir + '.json'))['plane']} {variant}" if variant != 'axial' else 'axial as acquired'
            row['pose'] = variant if variant not in ('sagittal', 'coronal') else f'{variant} plane'
            if variant == 'axial':
                row['pose'] = 'axial, as is'
            row['pose'] += f" ({row['position']})" if row['position'] != 'HFS' else ''
            full_face = source[4].sum() * np.prod(source[5]['spacing'])
            case_face = row['faceVoxels'] * np.prod(json.load(open(case_dir + '.json'))['spacing'])
            # A face counts as visible when most of it is in the source's field of view and the
            # case's cut keeps most of that.
            row['faceInFieldOfView'] = source[5]['faceInFieldOfView'] * case_face / full_face
            row['faceVisible'] = bool(row['faceInFieldOfView'] >= 0.8)
            rows.append(row)
            print(f"# {case}: {row['outcome']} face {row.get('faceRemovedPct', float('nan')):.1f}% brain {row.get('brainRemoved', '-')} "
                  f"det {row['detectedBefore']}/{row.get('detectedAfter', '-')} {row['seconds']:.1f}s", file=sys.stderr, flush=True)
    json.dump(rows, open(os.path.join(work, 'results.json'), 'w'), indent=1, default=float)
    print(fmt_table(rows))
    print()
    print(summary(rows))
    print(f"harness wall time: {time.monotonic() - t_start:.0f} s")
    if args.images:
        import deface_eval_pictures
        deface_eval_pictures.write_all(work, os.path.join(refs.REPO, 'docs', 'images'))
        deface_eval_pictures.reference_overlays(work, os.path.join(work, 'refpng'))
        deface_eval_pictures.reference_montage(work, os.path.join(refs.REPO, 'docs', 'images', 'deface-references.png'),
                                               list(PLAN))


if __name__ == '__main__':
    main()
