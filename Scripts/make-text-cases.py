#!/usr/bin/env python3
"""Images with fake PHI drawn into their pixels, for the burned-in text tests and benchmark.

usage: python3 Scripts/make-text-cases.py PYDEFACE_WHEEL OUTPUT_FOLDER [COUNT [SEED]]

The tests use the default seed; other seeds give held-out sets for checking the detector's
settings were not tuned to one set.

Each case is a real MR slice (pydeface's average head, axial, sagittal or coronal, resized to
512 x 512) stored as MR (16-bit), pseudo-CT (signed, Hounsfield units via Rescale Intercept),
MONOCHROME1, or RGB, with 3-6 lines of fake PHI drawn into it: names, birth dates, record and
accession numbers, date-times, a hospital. Fonts vary (DejaVu Sans, Mono, Serif, bold, and
Pillow's bitmap font; 9-22 px), with and without anti-aliasing, bright or dark (on a light
banner) or coloured. "corner" lines sit on the background or on a banner; "anatomy" lines are
drawn over the head. The header carries the same fake values, as the device would have.

Per case: text/NNNN.dcm (with text), clean/NNNN.dcm (the same image without it), and
truth/NNNN.labels (rows x columns bytes: 0 = no text, k = glyph pixel of line k). truth.json
lists the lines (box, placement) and the header strings drawn.
Needs numpy, scipy and Pillow; pydicom on PYTHONPATH.
"""
import gzip, json, os, random, shutil, sys, zipfile
import numpy as np
from scipy import ndimage
from PIL import Image, ImageDraw, ImageFont

from nifti_io import load_nifti
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SIZE = 512
FONT_DIRS = ['/usr/share/fonts/truetype/dejavu']
FONTS = ['DejaVuSans.ttf', 'DejaVuSansMono.ttf', 'DejaVuSerif.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono-Bold.ttf']
SURNAMES = ['SMITH', 'GARCIA', 'OKONKWO', 'NGUYEN', 'MUELLER', 'ROSSI', 'TANAKA', 'DUBOIS', 'KOWALSKI', 'HANSEN']
GIVEN = ['ANNA', 'JOHN', 'MARIA', 'WEI', 'PETER', 'FATIMA', 'LUCAS', 'SOFIA', 'IVAN', 'GRACE']


def fonts():
    found = [os.path.join(d, f) for d in FONT_DIRS for f in FONTS if os.path.exists(os.path.join(d, f))]
    return found


def phi(rng):
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    year, month, day = rng.randint(1930, 2005), rng.randint(1, 12), rng.randint(1, 28)
    mrn = ''.join(rng.choice('0123456789') for _ in range(rng.randint(6, 10)))
    accession = 'A' + ''.join(rng.choice('0123456789') for _ in range(7))
    study = (rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
    header = {'PatientName': f'{surname}^{given}', 'PatientID': mrn, 'AccessionNumber': accession,
              'PatientBirthDate': f'{year:04d}{month:02d}{day:02d}', 'StudyDate': '%04d%02d%02d' % study,
              'InstitutionName': rng.choice(['ST ELSEWHERE HOSPITAL', 'MERCY GENERAL', 'NORTH CLINIC'])}
    lines = [rng.choice([f'{surname}, {given}', f'{surname}^{given}', f'{given} {surname}']),
             rng.choice([f'DOB: {month:02d}/{day:02d}/{year}', f'{year}-{month:02d}-{day:02d}', f'Born {day:02d}.{month:02d}.{year}']),
             rng.choice([f'MRN {mrn}', f'ID: {mrn}', mrn]),
             rng.choice([f'ACC {accession}', accession]),
             '%02d/%02d/%04d %02d:%02d:%02d' % (study[1], study[2], study[0], rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
             header['InstitutionName']]
    return header, lines


def slice_of(head, rng):
    axis = rng.choice([0, 1, 2])
    n = head.shape[axis]
    index = rng.randint(int(0.3 * n), int(0.7 * n))
    plane = np.take(head, index, axis=axis).T[::-1]
    zoom = SIZE / max(plane.shape)
    plane = ndimage.zoom(plane, zoom, order=1)
    out = np.zeros((SIZE, SIZE), np.float32)
    y, x = (SIZE - plane.shape[0]) // 2, (SIZE - plane.shape[1]) // 2
    out[y:y + plane.shape[0], x:x + plane.shape[1]] = plane[:SIZE, :SIZE]
    return out / max(1.0, np.percentile(out, 99.5))           # 0..~1


def draw_line(text, font, antialias):
    probe = ImageDraw.Draw(Image.new('L', (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    image = Image.new('L', (right - left + 4, bottom - top + 4), 0)
    draw = ImageDraw.Draw(image)
    draw.fontmode = 'L' if antialias else '1'
    draw.text((2 - left, 2 - top), text, fill=255, font=font)
    return np.asarray(image, np.float32) / 255.0


def make_case(rng, head, font_files, anatomy_case):
    image = slice_of(head, rng)                               # display intensity 0..1
    background = image < 0.08
    header, texts = phi(rng)
    rng.shuffle(texts)
    texts = texts[:rng.randint(3, 6)]
    labels = np.zeros((SIZE, SIZE), np.uint8)
    colour = np.zeros((SIZE, SIZE, 3), np.float32) + image[..., None]
    lines = []
    corners = [(8, 8, 1), (SIZE - 8, 8, 1), (8, SIZE - 8, -1), (SIZE - 8, SIZE - 8, -1)]
    next_y = {c: c[1] for c in corners}
    rgb = rng.random() < 0.2
    for number, text in enumerate(texts, start=1):
        size = rng.randint(9, 22)
        if font_files and rng.random() < 0.85:
            font = ImageFont.truetype(rng.choice(font_files), size)
        else:
            font = ImageFont.load_default_imagefont()
        glyphs = draw_line(text, font, rng.random() < 0.7)
        h, w = glyphs.shape
        if w >= SIZE - 20:
            continue
        placement = 'anatomy' if anatomy_case and number <= 2 else 'corner'
        if placement == 'corner':
            corner = rng.choice(corners)
            x = corner[0] if corner[0] < SIZE // 2 else corner[0] - w
            y = next_y[corner] if corner[2] > 0 else next_y[corner] - h
            next_y[corner] = y + h + 3 if corner[2] > 0 else y - 3
            if y < 0 or y + h > SIZE:
                continue
        else:
            inside = np.argwhere(~background[:SIZE - h, :SIZE - w])
            if len(inside) == 0:
                continue
            y, x = inside[rng.randrange(len(inside))]
        region = (slice(y, y + h), slice(x, x + w))
        if labels[region].any():
            continue
        style = rng.random()
        if placement == 'anatomy':
            # Devices draw annotations to be read: at least a little brighter than what is under them.
            under = np.percentile(image[region], 75)
            level = min(1.0, max(rng.uniform(0.6, 1.0), under + 0.2))
            colour[region] = colour[region] * (1 - glyphs[..., None]) + level * glyphs[..., None]
        elif style < 0.15:                                    # dark text on a light banner
            colour[y - 2:y + h + 2, x - 2:x + w + 2] = 0.85
            colour[region] = colour[region] * (1 - glyphs[..., None]) + 0.1 * glyphs[..., None]
        elif style < 0.3 and rgb:                              # coloured text
            tint = np.array(rng.choice([(1, 1, 0), (0, 1, 0), (1, 0.3, 0.3), (0.3, 0.8, 1)]), np.float32)
            colour[region] = colour[region] * (1 - glyphs[..., None]) + tint * glyphs[..., None]
        else:
            level = rng.uniform(0.8, 1.0)
            colour[region] = colour[region] * (1 - glyphs[..., None]) + level * glyphs[..., None]
        labels[region][glyphs > 0.5] = number
        lines.append({'label': number, 'box': [int(x), int(y), int(x + w), int(y + h)], 'placement': placement})
    return image, colour, labels, lines, header, rgb


def dataset(kind, display, header, rgb):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7' if rgb else (
        '1.2.840.10008.5.1.4.1.1.2' if kind == 'CT' else '1.2.840.10008.5.1.4.1.1.4')
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    for key, value in header.items():
        setattr(ds, key, value)
    ds.Modality = 'OT' if rgb else kind
    ds.PatientSex = 'F'
    ds.BurnedInAnnotation = 'YES'
    ds.ImageType = ['DERIVED', 'SECONDARY'] if rgb else ['ORIGINAL', 'PRIMARY', 'AXIAL']
    ds.Rows = ds.Columns = SIZE
    if rgb:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, 'RGB', 0
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit, ds.PixelRepresentation = 7, 0
        ds.PixelData = np.clip(display * 255, 0, 255).round().astype(np.uint8).tobytes()
        return ds
    grey = display if display.ndim == 2 else display.mean(axis=2)
    ds.SamplesPerPixel, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 16, 12, 11
    if kind == 'CT':                                          # stored = HU, −1024 (air) .. 976, signed
        ds.PhotometricInterpretation, ds.PixelRepresentation = 'MONOCHROME2', 1
        ds.RescaleIntercept, ds.RescaleSlope = '0', '1'
        ds.PixelData = (np.clip(grey, 0, 1) * 2000 - 1024).round().astype(np.int16).tobytes()
    elif kind == 'MONOCHROME1':
        ds.PhotometricInterpretation, ds.PixelRepresentation = 'MONOCHROME1', 0
        ds.PixelData = (4095 - np.clip(grey, 0, 1) * 4000).round().astype(np.uint16).tobytes()
    else:
        ds.PhotometricInterpretation, ds.PixelRepresentation = 'MONOCHROME2', 0
        ds.PixelData = (np.clip(grey, 0, 1) * 1200).round().astype(np.uint16).tobytes()
    return ds


def main():
    wheel, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 80
    with zipfile.ZipFile(wheel) as z:
        head, _ = load_nifti(gzip.decompress(z.read('pydeface/data/mean_reg2mean.nii.gz')))
    shutil.rmtree(out, ignore_errors=True)
    for sub in ('text', 'clean', 'truth'):
        os.makedirs(os.path.join(out, sub))
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261123)
    font_files = fonts()
    cases = []
    for number in range(count):
        anatomy_case = number % 4 == 3                         # a quarter have text over the head
        image, display, labels, lines, header, rgb = make_case(rng, head, font_files, anatomy_case)
        kind = 'OT' if rgb else rng.choice(['MR', 'MR', 'CT', 'MONOCHROME1'])
        name = f'{number:04d}'
        dataset(kind, display, header, rgb).save_as(os.path.join(out, 'text', name + '.dcm'), enforce_file_format=True)
        clean = np.repeat(image[..., None], 3, axis=2) if rgb else image
        dataset(kind, clean, header, rgb).save_as(os.path.join(out, 'clean', name + '.dcm'), enforce_file_format=True)
        labels.tofile(os.path.join(out, 'truth', name + '.labels'))
        cases.append({'name': name, 'kind': kind, 'lines': lines,
                      'phi': [header['PatientName'].split('^')[0], header['PatientID'], header['AccessionNumber']]})
    json.dump({'size': SIZE, 'fonts': [os.path.basename(f) for f in font_files], 'cases': cases},
              open(os.path.join(out, 'truth.json'), 'w'), indent=1)
    open(os.path.join(out, 'complete'), 'w').write(str(count))


if __name__ == '__main__':
    main()
