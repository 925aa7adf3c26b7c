#!/usr/bin/env python3
"""Reads every frame of DICOM files with Tesseract and reports which PHI strings it can read.

usage: python3 Scripts/bench/ocr-check.py PHI_STRINGS_FILE FOLDER...

PHI_STRINGS_FILE holds one string per line (names, IDs, dates as drawn). Every frame of every
DICOM file under the folders is rendered (1st-99.5th percentile window, MONOCHROME1 inverted),
scaled 2x and read by `tesseract` (psm 11, sparse text). A string counts as read when a line of OCR
text, upper-cased with everything but letters and digits removed, contains it within one edit;
strings shorter than six characters must be a whole word of the line.
Prints, per folder, the strings read, the frames read, and the median seconds per frame; never
the strings themselves unless --show is given (they are fake, but the habit matters).
Needs numpy, Pillow and pydicom on PYTHONPATH, and Debian's tesseract-ocr.
"""
import os, re, statistics, subprocess, sys, tempfile, time
import numpy as np
import pydicom
from PIL import Image


def normalise(text):
    return re.sub(r'[^A-Z0-9]', '', text.upper())


def matches(needle, line):
    """Short strings must be a whole word of the line (one edit from a 4-letter name is any
    word, and speckle reads as short words); longer ones may be one edit off, anywhere."""
    if len(needle) < 6:
        return needle in {normalise(word) for word in re.split(r'[\s,.:;/^_-]+', line)}
    return within_one_edit(needle, normalise(line))


def within_one_edit(needle, haystack):
    if needle in haystack:
        return True
    # One edit leaves one half of the string intact: look only where a half appears.
    n, half = len(needle), len(needle) // 2
    for part, offset in ((needle[:half], 0), (needle[half:], half)):
        at = haystack.find(part)
        while at >= 0:
            start = max(0, at - offset - 1)
            for length in (n - 1, n, n + 1):
                for begin in range(start, start + 3):
                    if edit_distance(needle, haystack[begin:begin + length]) <= 1:
                        return True
            at = haystack.find(part, at + 1)
    return False


def edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def frames(path):
    ds = pydicom.dcmread(path)
    pixels = ds.pixel_array
    count = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    if count == 1:
        pixels = pixels[None]
    for frame in pixels:
        if ds.PhotometricInterpretation == 'PALETTE COLOR':
            from pydicom.pixels import apply_color_lut
            frame = apply_color_lut(frame, ds)
        frame = frame.astype(np.float32)
        if frame.ndim == 3:
            frame = frame.mean(axis=2)
        low, high = np.percentile(frame, [1, 99.5])
        image = np.clip((frame - low) / max(high - low, 1e-6), 0, 1) * 255
        if ds.PhotometricInterpretation == 'MONOCHROME1':
            image = 255 - image
        yield Image.fromarray(image.astype(np.uint8))


def read(image, scratch):
    image = image.resize((image.width * 2, image.height * 2), Image.BILINEAR)
    image.save(scratch)
    result = subprocess.run(['tesseract', scratch, '-', '--psm', '11'], capture_output=True, text=True)
    return result.stdout


def main():
    args = [a for a in sys.argv[1:] if a != '--show']
    show = '--show' in sys.argv
    strings = [normalise(line) for line in open(args[0]) if len(normalise(line)) >= 4]
    with tempfile.TemporaryDirectory() as scratch_folder:
        scratch = os.path.join(scratch_folder, 'frame.png')
        for folder in args[1:]:
            found, frame_count, seconds = set(), 0, []
            for root, _, names in os.walk(folder):
                for name in sorted(names):
                    if not name.endswith('.dcm'):
                        continue
                    for image in frames(os.path.join(root, name)):
                        start = time.perf_counter()
                        lines = read(image, scratch).splitlines()
                        seconds.append(time.perf_counter() - start)
                        frame_count += 1
                        found |= {s for s in strings if any(matches(s, line) for line in lines)}
            median = statistics.median(seconds) if seconds else 0
            print(f'{folder}: {len(found)} of {len(strings)} PHI strings read by Tesseract in {frame_count} frames '
                  f'({median:.2f} s per frame)')
            if show:
                for s in sorted(found):
                    print(f'  read: {s}')


if __name__ == '__main__':
    main()
