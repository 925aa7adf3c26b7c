#!/usr/bin/env python3
"""Generates Sources/Defacing/Generated/Colin27Atlas.swift: the head atlas Veil registers to a
subject's head to know where the brain and the face are.

usage: python3 Scripts/generate/make-deface-atlas.py [mricron-data .deb]

Source: the Colin27 average (ch2.nii.gz) and its brain (ch2bet.nii.gz) from Debian's
mricron-data package (MNI, Holmes et al. 1998; BSD-style licence). The .deb is downloaded with
`apt-get download mricron-data` unless given. Needs numpy and scipy.

What the atlas holds, on a 2 mm grid in LPS millimetres (MNI space with x and y negated):
- brain: ch2bet > 0, holes filled: the tissue defacing must never touch;
- face: where the face is, relative to the brain. The brain is projected onto the mid-sagittal
  plane; everything at least MARGIN mm outside the projection's convex hull, across a hull edge
  that faces the front or the bottom (outward normal between FACE_UP degrees above anterior and
  FACE_DOWN degrees below it), and in front of the brainstem, is face. This is the Quickshear
  idea (Schimke & Hale 2011) with the hull's own edges instead of one plane, so that the cut
  follows the forehead and the jaw. Ears are left (they lie beside the brain, inside the hull);
- surface: points on the skin, where the head surface is not cut by ch2's field of view, for
  surface-to-surface registration.
"""
import gzip, hashlib, io, os, struct, subprocess, sys, tarfile, tempfile
import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from nifti_io import load_nifti  # noqa: E402  (shared with the fixture scripts)

SPACING = 2.0
MARGIN = 5.0
FACE_UP = 25.0
FACE_DOWN = 100.0
# The grid: MNI box of ch2, extended 60 mm to the front and 90 mm down (ch2 cuts nose and chin;
# smaller heads fitted to it have their chin further down).
LPS_MIN = np.array([-90.0, -140.0, -160.0])   # x: left-right, y: L P S posterior, z: superior
LPS_MAX = np.array([90.0, 156.0, 108.0])


def extract(deb):
    """The two templates from the .deb (an ar archive holding data.tar.xz)."""
    raw = open(deb, 'rb').read()
    assert raw[:8] == b'!<arch>\n'
    pos, members = 8, {}
    while pos < len(raw):
        name = raw[pos:pos + 16].decode().strip().rstrip('/')
        size = int(raw[pos + 48:pos + 58].decode().strip())
        members[name] = raw[pos + 60:pos + 60 + size]
        pos += 60 + size + (size % 2)
    data = next(v for k, v in members.items() if k.startswith('data.tar'))
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            base = os.path.basename(member.name)
            if base in ('ch2.nii.gz', 'ch2bet.nii.gz'):
                out[base] = gzip.decompress(tar.extractfile(member).read())
    return out


def resample(volume, srow, grid_lps, order):
    """Values of `volume` (RAS sform `srow`) at LPS points `grid_lps` (…×3)."""
    ras = grid_lps * np.array([-1.0, -1.0, 1.0])
    inverse = np.linalg.inv(np.vstack([srow, [0, 0, 0, 1]]))
    voxel = ras @ inverse[:3, :3].T + inverse[:3, 3]
    coords = [voxel[..., a] for a in range(3)]
    return ndimage.map_coordinates(volume, coords, order=order, mode='constant', cval=0.0)


def rle(mask):
    """Run lengths (first run of zeros, alternating), as LEB128 varints."""
    flat = mask.transpose(2, 1, 0).ravel().astype(np.uint8)   # i fastest
    out, current, run = bytearray(), 0, 0
    def varint(v):
        while True:
            b = v & 0x7F; v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v: break
    for bit in flat:
        if bit == current:
            run += 1
        else:
            varint(run); current, run = bit, 1
    varint(run)
    return bytes(out)


def face_region(brain, shape, coords):
    """Face voxels of the grid: see the module docstring."""
    projection = brain.any(axis=0)                          # (y, z)
    ys, zs = np.nonzero(projection)
    points = np.stack([coords[1][ys], coords[2][zs]], 1)
    hull = ConvexHull(points)
    y = coords[1][:, None]; z = coords[2][None, :]
    best = np.full((shape[1], shape[2]), -np.inf); angle = np.zeros_like(best)
    for a, b, c in hull.equations:                         # a*y + b*z + c <= 0 inside
        distance = a * y + b * z + c
        # Anterior is -y in LPS; the angle of the outward normal from anterior towards inferior.
        theta = np.degrees(np.arctan2(-b, -a))
        better = distance > best
        best = np.where(better, distance, best); angle = np.where(better, theta, angle)
    brainstem_front = coords[1][ys[zs <= np.percentile(zs, 10)]].min()
    face2d = (best >= MARGIN) & (angle >= -FACE_UP) & (angle <= FACE_DOWN) & (y <= brainstem_front)
    return np.broadcast_to(face2d[None, :, :], shape).copy()


def main():
    deb = sys.argv[1] if len(sys.argv) > 1 else None
    if deb is None:
        folder = tempfile.mkdtemp()
        subprocess.run(['apt-get', 'download', 'mricron-data'], cwd=folder, check=True)
        deb = os.path.join(folder, next(f for f in os.listdir(folder) if f.endswith('.deb')))
    source_sha = hashlib.sha256(open(deb, 'rb').read()).hexdigest()
    files = extract(deb)
    head, srow = load_nifti(files['ch2.nii.gz'])
    bet, _ = load_nifti(files['ch2bet.nii.gz'])

    shape = tuple(int(round((LPS_MAX[a] - LPS_MIN[a]) / SPACING)) + 1 for a in range(3))
    coords = [LPS_MIN[a] + SPACING * np.arange(shape[a]) for a in range(3)]
    grid = np.stack(np.meshgrid(*coords, indexing='ij'), -1)
    head_values = resample(head, srow, grid, 1)
    inside_fov = resample(np.ones_like(head), srow, grid, 0) > 0.5
    brain = ndimage.binary_fill_holes(resample(bet, srow, grid, 1) > 0.5)
    labels, _ = ndimage.label(brain)
    brain = labels == np.bincount(labels.ravel())[1:].argmax() + 1

    threshold = 0.5 * np.percentile(head_values[inside_fov], 60)
    head_mask = ndimage.binary_fill_holes(ndimage.binary_closing(head_values > threshold, iterations=2))
    labels, _ = ndimage.label(head_mask)
    head_mask = labels == np.bincount(labels.ravel())[1:].argmax() + 1
    surface = head_mask & ~ndimage.binary_erosion(head_mask)
    # Not where ch2's field of view cuts the head: that surface is not skin.
    surface &= ndimage.binary_erosion(inside_fov, iterations=2)
    points = grid[surface]
    rng = np.random.default_rng(27)
    points = points[rng.choice(len(points), size=min(3000, len(points)), replace=False)]

    face = face_region(brain, shape, coords)
    assert not (face & brain).any()

    payload = bytearray(b'VEILATL1')
    payload += struct.pack('<3i', *shape) + struct.pack('<3d', *LPS_MIN) + struct.pack('<d', SPACING)
    for mask in (brain, face):
        encoded = rle(mask)
        payload += struct.pack('<i', len(encoded)) + encoded
    payload += struct.pack('<i', len(points))
    for p in points:
        payload += struct.pack('<3h', *(int(round(v * 10)) for v in p))   # 0.1 mm
    encoded = __import__('base64').b64encode(bytes(payload)).decode()

    target = os.path.join(os.path.dirname(__file__), '..', '..', 'Sources', 'Defacing', 'Generated',
                          'Colin27Atlas.swift')
    os.makedirs(os.path.dirname(target), exist_ok=True)
    lines = [encoded[i:i + 120] for i in range(0, len(encoded), 120)]
    with open(target, 'w') as f:
        f.write('// Generated by Scripts/generate/make-deface-atlas.py: do not edit.\n')
        f.write(f'// Source: Debian mricron-data ({os.path.basename(deb)}), ch2.nii.gz and ch2bet.nii.gz (Colin27).\n')
        f.write(f'// Source SHA-256: {source_sha}\n')
        f.write(f'// Grid {shape[0]}x{shape[1]}x{shape[2]} at {SPACING} mm; face margin {MARGIN} mm, '
                f'face edges from {FACE_UP} degrees above to {FACE_DOWN} degrees below anterior.\n\n')
        f.write('extension HeadAtlas {\n    /// Base64 of the binary layout HeadAtlas(decoding:) reads.\n    static let colin27Encoded = """\n')
        for line in lines:
            f.write(f'        {line}\n')
        f.write('        """\n}\n')
    print(f'wrote {target}: {len(encoded)} characters, brain {brain.sum()} voxels, face {face.sum()} voxels, {len(points)} points')
    if os.environ.get('ATLAS_PREVIEW'):
        sys.path.insert(0, '/tmp/atlas'); import png
        x = shape[0] // 2
        img = head_values[x].T[::-1]
        rgb = np.stack([img, img * (1 - 0.5 * face[x].T[::-1]), img * (1 - 0.5 * brain[x].T[::-1])], -1)
        png.save(os.environ["ATLAS_PREVIEW"], rgb.repeat(3, 0).repeat(3, 1))


if __name__ == '__main__':
    main()
