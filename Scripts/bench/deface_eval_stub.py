#!/usr/bin/env python3
"""A crude stand-in for `veil` to check the accuracy harness itself (not a defacer to use).

    deface_eval_stub.py keygen KEY
    deface_eval_stub.py deface INPUT -o OUTPUT --key-file KEY --quarantine Q [--depth MM]

`deface` sets to background every voxel within DEPTH mm (default 45; env STUB_DEPTH) of the
head's most anterior point in patient coordinates (LPS y), whatever the pose, and writes the
series with the same geometry and a manifest.jsonl with one `written` file record per slice.
Run the harness with `--veil Scripts/bench/deface_eval_stub.py`: a deep cut must show brain
voxels removed, a shallow one face left and a face still detected.
"""
import glob, json, os, sys
import numpy as np
import pydicom


def main():
    if sys.argv[1] == 'keygen':
        open(sys.argv[2], 'w').write('stub')
        return
    args = sys.argv[2:]
    src, out = args[0], args[args.index('-o') + 1]
    depth = float(os.environ.get('STUB_DEPTH', '45'))
    files = sorted(glob.glob(os.path.join(src, '*.dcm')))
    dss = [pydicom.dcmread(f) for f in files]
    values = [d.pixel_array.astype(np.float64) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in dss]
    background = min(v.min() for v in values)
    modality = dss[0].Modality
    threshold = -400 if modality == 'CT' else 0.1 * np.percentile(np.concatenate([v.ravel() for v in values]), 99)
    coords = []
    for d in dss:
        iop = np.array(d.ImageOrientationPatient, float)
        ps = np.array(d.PixelSpacing, float)
        r, c = np.meshgrid(np.arange(d.Rows), np.arange(d.Columns), indexing='ij')
        y = float(d.ImagePositionPatient[1]) + c * ps[1] * iop[1] + r * ps[0] * iop[4]
        coords.append(y)
    front = min(y[v > threshold].min() for y, v in zip(coords, values) if (v > threshold).any())
    os.makedirs(os.path.join(out, 'series'), exist_ok=True)
    with open(os.path.join(out, 'manifest.jsonl'), 'w') as m:
        for n, (d, v, y) in enumerate(zip(dss, values, coords)):
            v = np.where(y < front + depth, background, v)
            stored = np.round((v - float(d.RescaleIntercept)) / float(d.RescaleSlope)).astype(np.int16)
            d.PixelData = stored.tobytes()
            name = f'series/{n:04d}.dcm'
            d.save_as(os.path.join(out, name))
            m.write(json.dumps({'type': 'file', 'status': 'written', 'output': name}) + '\n')


if __name__ == '__main__':
    main()
