"""Reference masks for the defacing accuracy harness, made without Veil.

Per source head, once (cached): the head (tissue) mask from the head's own intensities, the
reference brain from a template with a brain mask registered to the head (SimpleITK: affine, then
B-spline, Mattes mutual information), and the reference face from pydeface's face mask registered
the same way. See docs/deface-accuracy.md.
"""
import gzip, io, json, os, tarfile, zipfile, glob
import numpy as np
from scipy import ndimage
import SimpleITK as sitk

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
HEADS = '/work/shared/data/heads'


# ---------------------------------------------------------------- source files

def pydeface_wheel():
    return sorted(glob.glob(os.path.join(REPO, 'TestData', 'downloads', 'pydeface-2.1.0-*.whl')))[0]


def extract_sources(work):
    """The NIfTI files the harness needs, extracted into WORK/src (once)."""
    src = os.path.join(work, 'src')
    os.makedirs(src, exist_ok=True)
    with zipfile.ZipFile(pydeface_wheel()) as z:
        for name in ('mean_reg2mean.nii.gz', 'facemask.nii.gz'):
            path = os.path.join(src, name)
            if not os.path.exists(path):
                open(path, 'wb').write(z.read('pydeface/data/' + name))
    if not os.path.exists(os.path.join(src, 'ch2.nii')):
        debs = glob.glob(os.path.join(work, 'mricron-data_*.deb'))
        if not debs:
            import subprocess
            subprocess.run(['apt-get', 'download', 'mricron-data'], cwd=work, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            debs = glob.glob(os.path.join(work, 'mricron-data_*.deb'))
        raw = open(debs[0], 'rb').read()       # an ar archive holding data.tar.xz
        assert raw[:8] == b'!<arch>\n'
        pos, members = 8, {}
        while pos < len(raw):
            name = raw[pos:pos + 16].decode().strip().rstrip('/')
            size = int(raw[pos + 48:pos + 58].decode().strip())
            members[name] = raw[pos + 60:pos + 60 + size]
            pos += 60 + size + (size % 2)
        data = next(v for k, v in members.items() if k.startswith('data.tar'))
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                base = os.path.basename(member.name)
                if base in ('ch2.nii.gz', 'ch2bet.nii.gz'):
                    open(os.path.join(src, base[:-3]), 'wb').write(gzip.decompress(tar.extractfile(member).read()))
    return src


def nilearn_data():
    import nilearn
    return os.path.join(os.path.dirname(nilearn.__file__), 'datasets', 'data')


def source_paths(work):
    src = extract_sources(work)
    return {
        'T1_head_ext2': os.path.join(HEADS, 'T1_head_ext2.nii.gz'),
        'T2w': os.path.join(HEADS, 'T2w.nii.gz'),
        'MNI152_T1_2mm': os.path.join(HEADS, 'MNI152_T1_2mm.nii.gz'),
        'otsu': os.path.join(HEADS, 'otsu.nii.gz'),
        'colin27': os.path.join(src, 'ch2.nii'),
        'pydeface': os.path.join(src, 'mean_reg2mean.nii.gz'),
    }


# ---------------------------------------------------------------- volumes

def to_array(image):
    """SimpleITK image -> (array indexed [i, j, k], 4x4 voxel -> LPS mm affine)."""
    a = sitk.GetArrayFromImage(image).transpose(2, 1, 0).astype(np.float32)
    d = np.array(image.GetDirection()).reshape(3, 3)
    affine = np.eye(4)
    affine[:3, :3] = d @ np.diag(image.GetSpacing())
    affine[:3, 3] = image.GetOrigin()
    return a, affine


def from_array(a, like):
    im = sitk.GetImageFromArray(np.ascontiguousarray(a.transpose(2, 1, 0)))
    im.CopyInformation(like)
    return im


def otsu(values, bins=256):
    hist, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist); w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centres); mt = m0[-1]
    with np.errstate(divide='ignore', invalid='ignore'):
        between = (mt * w0 / w0[-1] - m0) ** 2 / (w0 * w1)
    return centres[np.nanargmax(between[:-1])]


def largest(mask):
    labels, count = ndimage.label(mask)
    return mask if count == 0 else labels == np.bincount(labels.ravel())[1:].argmax() + 1


def fill_slices(mask, axis):
    out = mask.copy()
    for n in range(mask.shape[axis]):
        sl = [slice(None)] * 3; sl[axis] = n
        out[tuple(sl)] = ndimage.binary_fill_holes(mask[tuple(sl)])
    return out


def head_mask(a, spacing):
    """Tissue of the head: above Otsu's threshold (of the non-zero voxels, halved to keep dark skin),
    closed, largest piece, cavities filled in 3-D and slice by slice along each axis."""
    values = a[a > np.percentile(a, 1)]
    t = 0.5 * otsu(values[values > 0] if (values > 0).sum() > 1000 else values)
    m = a > t
    it = max(1, int(round(3.0 / min(spacing))))
    m = ndimage.binary_closing(ndimage.binary_opening(m, iterations=1), iterations=it, border_value=0)
    m = largest(m)
    m = ndimage.binary_fill_holes(m)
    for axis in range(3):
        m = fill_slices(m, axis)
    return m


# ---------------------------------------------------------------- registration

def cranium_centroid(image, mask, depth_mm=90.0):
    """Centroid (LPS mm) of the head mask within DEPTH_MM of its highest point (the vertex): a
    centre that does not move with how much neck the field of view holds."""
    a, affine = to_array(image)
    pts = np.argwhere(mask[::2, ::2, ::2]) * 2
    lps = pts @ affine[:3, :3].T + affine[:3, 3]
    top = lps[:, 2].max()
    return lps[lps[:, 2] > top - depth_mm].mean(0), top


def register(fixed, moving, fixed_head, moving_head, below_vertex_mm, bspline=True, seed=14):
    """Transform mapping fixed physical points to moving physical points: cranium centroids
    aligned, then similarity, affine and B-spline (Mattes MI) on 2.5 mm copies; the metric only
    counts the fixed head within BELOW_VERTEX_MM of its vertex (about the moving template's
    field of view), so a neck the template lacks does not pull the fit."""
    def prep(im):
        im = sitk.Cast(im, sitk.sitkFloat32)
        sp = 2.5
        size = [int(round(s * p / sp)) for s, p in zip(im.GetSize(), im.GetSpacing())]
        im = sitk.Resample(sitk.SmoothingRecursiveGaussian(im, 1.0), size, sitk.Transform(), sitk.sitkLinear,
                           im.GetOrigin(), [sp] * 3, im.GetDirection(), 0.0, sitk.sitkFloat32)
        a = sitk.GetArrayFromImage(im)
        hi = np.percentile(a[a > 0], 99) if (a > 0).any() else 1
        return sitk.Clamp(im / float(hi), sitk.sitkFloat32, 0.0, 1.5)
    f, m = prep(fixed), prep(moving)
    cf, top = cranium_centroid(fixed, fixed_head)
    cm, _ = cranium_centroid(moving, moving_head)
    init = sitk.Similarity3DTransform()
    init.SetCenter(cf.tolist())
    init.SetTranslation((cm - cf).tolist())
    fa, faff = to_array(fixed)
    z = (np.indices(fa.shape).reshape(3, -1).T @ faff[:3, :3].T + faff[:3, 3])[:, 2].reshape(fa.shape)
    region = from_array((fixed_head & (z > top - below_vertex_mm)).astype(np.uint8), fixed)
    region = sitk.Resample(region, f, sitk.Transform(), sitk.sitkNearestNeighbor, 0, sitk.sitkUInt8)

    def method(shrink, smooth, iters, sampling):
        R = sitk.ImageRegistrationMethod()
        R.SetMetricAsMattesMutualInformation(32)
        R.SetMetricSamplingStrategy(R.RANDOM)
        R.SetMetricSamplingPercentage(sampling, seed)
        R.SetInterpolator(sitk.sitkLinear)
        R.SetMetricFixedMask(region)
        R.SetShrinkFactorsPerLevel(shrink)
        R.SetSmoothingSigmasPerLevel(smooth)
        R.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
        return R

    # Shape first: the smoothed head masks (mean squares), which no contrast difference misleads.
    def smooth_mask(im, mask):
        g = from_array(ndimage.gaussian_filter(mask.astype(np.float32), 1.5), im)
        return sitk.Resample(g, f if im is fixed else m, sitk.Transform(), sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    R = sitk.ImageRegistrationMethod()
    R.SetMetricAsMeanSquares()
    R.SetMetricSamplingStrategy(R.RANDOM)
    R.SetMetricSamplingPercentage(0.2, seed)
    R.SetInterpolator(sitk.sitkLinear)
    R.SetMetricFixedMask(sitk.BinaryDilate(region, [3, 3, 3]))
    R.SetShrinkFactorsPerLevel([4, 2])
    R.SetSmoothingSigmasPerLevel([4, 2])
    R.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    R.SetOptimizerAsRegularStepGradientDescent(learningRate=2.0, minStep=1e-3, numberOfIterations=150,
                                               gradientMagnitudeTolerance=1e-8)
    R.SetOptimizerScalesFromPhysicalShift()
    R.SetInitialTransform(init, inPlace=True)
    R.Execute(smooth_mask(fixed, fixed_head), smooth_mask(moving, moving_head))
    if os.environ.get("REG_DEBUG"):
        print("mask stage", R.GetOptimizerStopConditionDescription(), np.round(init.GetParameters(), 3))

    R = method([4, 2, 1], [4, 2, 0], 150, 0.1)
    R.SetOptimizerAsRegularStepGradientDescent(learningRate=2.0, minStep=1e-3, numberOfIterations=150,
                                               gradientMagnitudeTolerance=1e-6)
    R.SetOptimizerScalesFromPhysicalShift()
    R.SetInitialTransform(init, inPlace=True)
    R.Execute(f, m)

    affine = sitk.AffineTransform(3)
    affine.SetMatrix(init.GetMatrix()); affine.SetTranslation(init.GetTranslation()); affine.SetCenter(init.GetCenter())
    R = method([2, 1], [2, 0], 100, 0.1)
    R.SetOptimizerAsRegularStepGradientDescent(learningRate=1.0, minStep=1e-4, numberOfIterations=100,
                                               gradientMagnitudeTolerance=1e-6)
    R.SetOptimizerScalesFromPhysicalShift()
    R.SetInitialTransform(affine, inPlace=True)
    R.Execute(f, m)
    if not bspline:
        return sitk.CompositeTransform([affine])
    mesh = [max(2, int(round(s * p / 40.0))) for s, p in zip(f.GetSize(), f.GetSpacing())]
    bs = sitk.BSplineTransformInitializer(f, mesh, order=3)
    R = method([2, 1], [2, 0], 40, 0.1)
    R.SetOptimizerAsLBFGSB(gradientConvergenceTolerance=1e-5, numberOfIterations=40, maximumNumberOfCorrections=5,
                           maximumNumberOfFunctionEvaluations=300, costFunctionConvergenceFactor=1e7)
    R.SetMovingInitialTransform(affine)
    R.SetInitialTransform(bs, inPlace=True)
    R.Execute(f, m)
    composite = sitk.CompositeTransform([affine, bs])
    # Keep the B-spline only if it does not make the fit of the two heads worse (MI on a thick slab
    # of another contrast can fold the brain away: seen on T2w).
    fixed_mask = sitk.GetArrayFromImage(region) > 0
    moving_mask = from_array(moving_head.astype(np.float32), moving)

    def dice(t):
        w = sitk.GetArrayFromImage(sitk.Resample(moving_mask, f, t, sitk.sitkLinear, 0.0, sitk.sitkFloat32)) > 0.5
        fh = sitk.GetArrayFromImage(sitk.Resample(from_array(fixed_head.astype(np.float32), fixed), f, sitk.Transform(),
                                                  sitk.sitkLinear, 0.0, sitk.sitkFloat32)) > 0.5
        w, fh = w & fixed_mask, fh & fixed_mask
        return 2 * (w & fh).sum() / max(1, w.sum() + fh.sum()), w.sum()
    (d_affine, v_affine), (d_bs, v_bs) = dice(sitk.CompositeTransform([affine])), dice(composite)
    register.last = {'diceAffine': round(float(d_affine), 3), 'diceBspline': round(float(d_bs), 3)}
    if d_bs < d_affine - 0.01 or abs(v_bs / max(v_affine, 1) - 1) > 0.1:
        register.last['bsplineRejected'] = True
        return sitk.CompositeTransform([affine])
    return composite


def warp(mask_image, fixed, transform, linear=True):
    out = sitk.Resample(sitk.Cast(mask_image, sitk.sitkFloat32), fixed, transform,
                        sitk.sitkLinear if linear else sitk.sitkNearestNeighbor, 0.0, sitk.sitkFloat32)
    return sitk.GetArrayFromImage(out).transpose(2, 1, 0)


def template_brain_mask():
    """nilearn's MNI152 (ICBM 2009a) brain mask as nilearn's load_mni152_brain_mask makes it: the
    skull-stripped template above 0.2 of its maximum; cavities filled."""
    t1 = sitk.ReadImage(os.path.join(nilearn_data(), 'mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz'))
    a, _ = to_array(t1)
    m = ndimage.binary_fill_holes(a > 0.2 * a.max())
    return from_array(m.astype(np.float32), t1)


EYELID_MM = 12.0


def template_face_mask(src):
    """pydeface's face mask (0 = face in facemask.nii.gz: a box in front of a coronal plane just
    behind the eyes, from the middle of the eyes down), extended EYELID_MM upwards within the
    same box so that the upper eyelids and the brows' lower edge count as face too (the issue's
    face: eyes, eyelids, nose, lips, chin, jaw, cheeks to behind the eyes; not the forehead)."""
    facemask = sitk.ReadImage(os.path.join(src, 'facemask.nii.gz'))
    a, affine = to_array(facemask)
    face = a < 0.5
    d = np.array(facemask.GetDirection()).reshape(3, 3)
    axis = int(np.argmax(np.abs(d[2])))               # the voxel axis closest to superior
    step = int(np.sign(d[2, axis]))
    n = int(round(EYELID_MM / facemask.GetSpacing()[axis]))
    # The box's columns (its footprint in the two other axes) grown upwards by n voxels.
    grown = face.copy()
    for s in range(1, n + 1):
        grown |= np.roll(face, s * step, axis=axis)
    return from_array(grown.astype(np.float32), facemask)


def cached_registration(path, fixed, moving, fixed_head, moving_head, below_vertex_mm):
    if os.path.exists(path):
        return sitk.CompositeTransform(sitk.ReadTransform(path))
    register.last = {}
    t = register(fixed, moving, fixed_head, moving_head, below_vertex_mm)
    sitk.WriteTransform(t, path)
    json.dump(register.last, open(path + '.json', 'w'))
    return t


def make_reference(name, path, work):
    """(volume, affine, head, brain, face, info) in the head's own voxel grid. The two
    registrations are cached in WORK/refs (delete the folder to redo them)."""
    os.makedirs(os.path.join(work, 'refs'), exist_ok=True)
    cache = os.path.join(work, 'refs', name)
    image = sitk.ReadImage(path)
    vol, affine = to_array(image)
    spacing = image.GetSpacing()
    head = head_mask(vol, spacing)
    fixed = from_array(np.where(head, vol, 0).astype(np.float32), image)

    # Brain: FSL's MNI152 head (from the heads folder) registered to this head, carrying nilearn's
    # MNI152 brain mask (both in MNI space).
    mni = sitk.ReadImage(os.path.join(HEADS, 'MNI152_T1_2mm.nii.gz'))
    mni_vol, _ = to_array(mni)
    mni_head = head_mask(mni_vol, mni.GetSpacing())
    mni_fixed = from_array(np.where(mni_head, mni_vol, 0).astype(np.float32), mni)
    t_brain = cached_registration(cache + '.brain.tfm', fixed, mni_fixed, head, mni_head, 140.0)
    brain = (warp(template_brain_mask(), image, t_brain) > 0.5) & head
    brain = largest(brain)

    # Face: pydeface's average head registered to this head, carrying pydeface's face mask
    # (extended to the eyelids); inside the head, outside the brain.
    src = extract_sources(work)
    mean = sitk.ReadImage(os.path.join(src, 'mean_reg2mean.nii.gz'))
    mean_vol, _ = to_array(mean)
    mean_head = head_mask(mean_vol, mean.GetSpacing())
    mean_fixed = from_array(np.where(mean_head, mean_vol, 0).astype(np.float32), mean)
    t_face = cached_registration(cache + '.face.tfm', fixed, mean_fixed, head, mean_head, 210.0)
    face = (warp(template_face_mask(src), image, t_face) > 0.5) & head & ~brain

    # How much of the face lies in the field of view: the face region's volume here against the
    # template's face region carried by the affine part of the registration (its determinant).
    fm = sitk.GetArrayFromImage(template_face_mask(src)) > 0.5
    fm &= (sitk.GetArrayFromImage(mean_fixed) > 0)
    det = abs(np.linalg.det(np.array(t_face.GetNthTransform(0).GetMatrix()).reshape(3, 3)))
    template_face_ml = fm.sum() * np.prod(mean.GetSpacing()) / 1000 / det
    reg = {k: json.load(open(cache + f'.{k}.tfm.json')) for k in ('brain', 'face') if os.path.exists(cache + f'.{k}.tfm.json')}
    info = {'registration': reg, 'spacing': list(spacing), 'faceInFieldOfView': round(float(face.sum() * np.prod(spacing) / 1000 / template_face_ml), 2), 'headVoxels': int(head.sum()), 'brainVoxels': int(brain.sum()),
            'faceVoxels': int(face.sum()), 'brainMl': round(float(brain.sum() * np.prod(spacing) / 1000), 1),
            'faceMl': round(float(face.sum() * np.prod(spacing) / 1000), 1)}
    if name == 'colin27':   # a check: ch2bet is Colin27's own brain
        bet, _ = to_array(sitk.ReadImage(os.path.join(src, 'ch2bet.nii')))
        truth = ndimage.binary_fill_holes(bet > 0)
        info['diceVsCh2bet'] = round(float(2 * (truth & brain).sum() / (truth.sum() + brain.sum())), 3)
        info['refOutsideCh2betMl'] = round(float((brain & ~truth).sum() / 1000), 1)
        info['ch2betOutsideRefMl'] = round(float((truth & ~brain).sum() / 1000), 1)
    np.savez_compressed(cache + '.npz', vol=vol, affine=affine, head=head, brain=brain, face=face, info=np.array(info))
    return vol, affine, head, brain, face, info
