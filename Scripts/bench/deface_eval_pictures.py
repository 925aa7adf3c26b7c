"""Pictures for the defacing accuracy harness: reference-mask overlays (to look at the references)
and the before/after figures committed to docs/images/deface-<case>.png."""
import glob, os
import numpy as np
from scipy import ndimage
from PIL import Image, ImageDraw


def _grey(sl, lo=None, hi=None):
    lo = np.percentile(sl, 1) if lo is None else lo
    hi = np.percentile(sl, 99.5) if hi is None else hi
    return np.clip((sl - lo) / max(hi - lo, 1e-6), 0, 1)


def _overlay(grey, masks):
    """grey [H, W] 0..1; masks: list of (mask, rgb, mode) with mode 'outline' or 'tint'."""
    rgb = np.repeat(grey[..., None], 3, -1)
    for mask, colour, mode in masks:
        colour = np.array(colour, float) / 255
        if mode == 'tint':
            rgb[mask] = 0.45 * rgb[mask] + 0.55 * colour
        else:
            edge = mask & ~ndimage.binary_erosion(mask)
            rgb[edge] = colour
    return (rgb * 255).astype(np.uint8)


def _resize_iso(img, sx, sy):
    """Resample an image with pixel size (sx along columns, sy along rows) to square pixels."""
    h, w = img.shape[:2]
    s = min(sx, sy)
    return np.array(Image.fromarray(img).resize((int(round(w * sx / s)), int(round(h * sy / s))), Image.NEAREST))


def lps_slices(vol, affine, masks, spacing=1.0, centre=None, views=('sagittal', 'coronal', 'axial')):
    """Sagittal, coronal and axial views in patient axes through CENTRE (default: the middle of
    the field of view), 1 mm."""
    inv = np.linalg.inv(affine)
    corners = np.array([[i, j, k] for i in (0, vol.shape[0] - 1) for j in (0, vol.shape[1] - 1) for k in (0, vol.shape[2] - 1)], float)
    lps = corners @ affine[:3, :3].T + affine[:3, 3]
    lo, hi = lps.min(0), lps.max(0)
    c = (lo + hi) / 2 if centre is None else np.asarray(centre, float)
    out = []
    for name in views:
        a, b, fixed = {'sagittal': (1, 2, 0), 'coronal': (0, 2, 1), 'axial': (0, 1, 2)}[name]
        ua = np.arange(lo[a], hi[a], spacing)
        ub = np.arange(hi[b], lo[b], -spacing) if b == 2 else np.arange(lo[b], hi[b], spacing)
        A, B = np.meshgrid(ua, ub)
        p = np.zeros(A.shape + (3,))
        p[..., a], p[..., b], p[..., fixed] = A, B, c[fixed]
        v = p @ inv[:3, :3].T + inv[:3, 3]
        co = [v[..., n] for n in range(3)]
        img = ndimage.map_coordinates(vol, co, order=1, mode='constant', cval=float(vol.min()))
        ms = [ndimage.map_coordinates(m.astype(np.float32), co, order=0, mode='constant') > 0.5 for m in masks]
        if name == 'axial':
            img, ms = img, ms
        out.append((name, img, ms))
    return out


def reference_overlays(work, dest):
    """One PNG per source head: sagittal, coronal and axial slice with the reference brain outline
    (red) and the reference face region (green tint)."""
    os.makedirs(dest, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(work, 'refs', '*.npz'))):
        z = np.load(path, allow_pickle=True)
        vol, affine = z['vol'], z['affine']
        panels = []
        to_lps = lambda m: (np.argwhere(m[::2, ::2, ::2]) * 2) @ affine[:3, :3].T + affine[:3, 3]
        bc = to_lps(z['brain']).mean(0)
        fc = to_lps(z['face']).mean(0) if z['face'].any() else bc
        eye = np.array([bc[0] + 32, fc[1], fc[2] + 15])     # about the left eye
        for centre, views in ((bc, ('sagittal',)), (eye, ('sagittal',)), (bc, ('coronal',)), (eye, ('coronal', 'axial'))):
            for name, img, (brain, face) in lps_slices(vol, affine, [z['brain'], z['face']], centre=centre, views=views):
                panels.append(_overlay(_grey(img), [(face, (40, 220, 60), 'tint'), (brain, (255, 40, 40), 'outline')]))
        h = max(p.shape[0] for p in panels)
        row = np.concatenate([np.pad(p, ((0, h - p.shape[0]), (0, 4), (0, 0))) for p in panels], 1)
        Image.fromarray(row).save(os.path.join(dest, os.path.basename(path)[:-4] + '.png'))


def reference_montage(work, dest_png, names):
    """All source heads' reference overlays, one row each, in one small palette PNG."""
    rows = []
    for name in names:
        path = os.path.join(work, 'refpng', name + '.png')
        if os.path.exists(path):
            im = Image.open(path).convert('RGB')
            rows.append(np.array(im.resize((int(im.width * 120 / im.height), 120))))
    if not rows:
        return
    w = max(r.shape[1] for r in rows)
    montage = np.concatenate([np.pad(r, ((0, 4), (0, w - r.shape[1]), (0, 0))) for r in rows], 0)
    Image.fromarray(montage).quantize(colors=128, method=Image.Quantize.MAXCOVERAGE).save(dest_png, optimize=True)


def write_all(work, dest):
    """docs/images/deface-<case>.png: front render before and after, and a sagittal slice of the
    output with the reference brain outline (red), removed voxels tinted (orange) and the
    reference face (green outline)."""
    os.makedirs(dest, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(work, 'pictures', '*.npz'))):
        z = np.load(path)
        case = os.path.basename(path)[:-4]
        vin, vout, brain, face = z['vin'], z['vout'], z['brain'], z['face']
        # Removed tissue: changed voxels that were above the tissue threshold in the input (air
        # the defacer also set to background is not tinted).
        if vin.min() < -500:
            threshold = -400.0
        else:
            import deface_eval_refs
            threshold = 0.5 * deface_eval_refs.otsu(vin[vin > np.percentile(vin, 2)])
        removed = (vout != vin) & (vin > threshold)
        # The sagittal slice in the anatomical frame: the case grid carried back through the pose.
        aff = np.linalg.inv(z['pose']) @ z['case_affine']
        (name, img, (b, f, r)), = [s for s in lps_slices(vout, aff, [brain, face, removed]) if s[0] == 'sagittal']
        (_, img_in, _), = [s for s in lps_slices(vin, aff, [brain]) if s[0] == 'sagittal']
        lo, hi = np.percentile(img_in, 1), np.percentile(img_in, 99.5)
        sag = _overlay(_grey(img, lo, hi), [(r, (255, 150, 0), 'tint'), (f, (40, 220, 60), 'outline'),
                                            (b, (255, 40, 40), 'outline')])
        before = np.repeat(z['before'][..., None], 3, -1)
        after = np.repeat(z['after'][..., None], 3, -1)
        panels = [before, after, sag]
        h = max(p.shape[0] for p in panels)
        row = np.concatenate([np.pad(p, ((0, h - p.shape[0]), (0, 6), (0, 0))) for p in panels], 1)
        im = Image.fromarray(row)
        d = ImageDraw.Draw(im)
        d.text((4, 4), 'before', fill=(255, 255, 0))
        d.text((before.shape[1] + 10, 4), 'after' if str(z['outcome']) == 'written' else str(z['outcome'])[:38],
               fill=(255, 255, 0))
        d.text((before.shape[1] + after.shape[1] + 16, 4), case, fill=(255, 255, 0))
        im = im.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE)
        im.save(os.path.join(dest, f'deface-{case}.png'), optimize=True)
