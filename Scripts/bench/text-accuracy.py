#!/usr/bin/env python3
"""Scores `veil anonymize --clean-pixel-data` on a burned-in text set with ground truth
(made by Scripts/fixtures/make-burned-text-set.py), the way OCR de-identification pipelines are
scored, and prints one table against the targets of issue #15.

usage: python3 Scripts/bench/text-accuracy.py --veil PATH --set DIR [--mode flagged|all]
           [--jobs N] [--work DIR] [--reuse] [--ocr] [--pictures DIR] [--json FILE]

Runs `veil anonymize DIR/text -o OUT --key-file KEY --clean-pixel-data MODE --quarantine Q`
and the same on DIR/clean (the text-free twins), maps each output to its input through the
manifest (`index` = position of the input in sorted path order), and compares stored pixel
values, input against output:

- token recall: a PHI token (labels such as "DOB:" are not PHI) is removed when at least 90% of
  its glyph pixels changed value on every frame, or its box is flat (one value) in the output;
  an image that failed (quarantined) counts as removed, and is counted apart ("failed closed").
  Line recall: the same rule on the glyph pixels of each line that holds PHI.
- token precision: 8-connected components of changed pixels (frame 0, after a 2-pixel closing)
  that touch a ground-truth token box dilated by 3 px, over all changed components; components
  only on text that was already in the source (a radiograph's "R" marker) are left out.
  Pixel precision: changed pixels inside the dilated token, line and annotation boxes (strips and
  light boxes drawn under the text) over all changed pixels. F1 from token recall and precision.
- damage: changed pixels (any frame) outside the dilated token, line, annotation and ignore
  boxes, as a share of the image's pixels: median, 95th percentile, images above 1%.
- false alarms: twins (no text) with any changed pixel, or failed; CT, MR, NM, PT and MG (grey,
  not screen captures) pooled as "rarely carries text".
- time: wall time of each run over its images, frames and 512²-pixel units (--jobs 1 by default,
  as the targets are per core; whole runs, reading and writing included).
--ocr (needs Debian's tesseract-ocr) reads frame 0 of inputs and outputs and counts the header
PHI strings readable (rules of Scripts/bench/ocr-check.py; images over 1024 px are not scaled up). --pictures writes contact sheets:
input | output with changed pixels red, ground-truth boxes outlined (green PHI, blue labels,
yellow pre-existing text). --json writes the per-image results. Nothing here prints PHI: counts
and image ids only (the set's PHI is fake anyway).
--work keeps veil's outputs (default: a temporary folder); with --reuse, runs whose manifest is
already in --work are not repeated, and OCR readings are taken from the last --json of the same
mode and set.
Needs numpy, scipy, Pillow; pydicom 3 on PYTHONPATH (TestData/python).
"""
import argparse, glob, importlib.util, json, os, random, shutil, subprocess, sys, tempfile, time, warnings
from concurrent.futures import ProcessPoolExecutor
import numpy as np
from scipy import ndimage
from PIL import Image, ImageDraw

import pydicom

warnings.filterwarnings('ignore')

TARGETS = {'recall': 0.98, 'precision': 0.9, 'f1': 0.93, 'damage_median': 0.002, 'damage_p95': 0.01,
           'false_alarm': 0.01}
RARELY_TEXT = {'CT', 'MR', 'NM', 'PT', 'MG'}
DILATE = 3


# ---------------------------------------------------------------- running veil

def run_veil(veil, inputs, work, mode, jobs, key, reuse):
    out, quarantine = os.path.join(work, 'out'), os.path.join(work, 'quarantine')
    manifest = os.path.join(out, 'manifest.jsonl')
    seconds_file = os.path.join(work, 'seconds')
    if reuse and os.path.exists(manifest) and os.path.exists(seconds_file):
        return manifest, float(open(seconds_file).read())
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    command = [veil, 'anonymize', inputs, '-o', out, '--key-file', key, '--clean-pixel-data', mode,
               '--quarantine', quarantine, '--jobs', str(jobs)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f'veil failed ({result.returncode}): {result.stderr[-2000:]}')
    open(seconds_file, 'w').write(f'{seconds:.3f}')
    open(os.path.join(work, 'stderr.txt'), 'w').write(result.stderr)
    return manifest, seconds


def read_manifest(path, out_folder, count):
    """Per input index: (status, output path or None, reason, pixelText)."""
    records = {}
    for line in open(path):
        record = json.loads(line)
        if 'index' not in record:
            continue
        output = os.path.join(out_folder, record['output']) if record.get('output') else None
        records[record['index']] = (record.get('status'), output, record.get('reason'), record.get('pixelText'))
    return [records.get(i, ('missing', None, None, None)) for i in range(count)]


# ---------------------------------------------------------------- pixels

def stored_frames(path):
    ds = pydicom.dcmread(path)
    pixels = ds.pixel_array
    if int(getattr(ds, 'NumberOfFrames', 1) or 1) == 1:
        pixels = pixels[None]
    if pixels.ndim == 3:
        pixels = pixels[..., None]
    return pixels.astype(np.int64), ds


def box_mask(shape, boxes, grow):
    mask = np.zeros(shape, bool)
    rows, cols = shape
    for x0, y0, x1, y1 in boxes:
        mask[max(0, y0 - grow):min(rows, y1 + grow + 1), max(0, x0 - grow):min(cols, x1 + grow + 1)] = True
    return mask


def removed(changed, output, glyphs, box):
    """Removed on every frame: >= 90% of the glyph pixels changed, or the box is flat in the output."""
    x0, y0, x1, y1 = box
    for f in range(changed.shape[0]):
        if changed[f][glyphs].mean() >= 0.9:
            continue
        patch = output[f, y0:y1 + 1, x0:x1 + 1]
        if patch.size and np.all(patch == patch.reshape(-1, patch.shape[-1])[0]):
            continue
        return False
    return True


def score_text_image(set_dir, image_id, status, output):
    truth = json.load(open(os.path.join(set_dir, 'truth', image_id + '.json')))
    labels = np.asarray(Image.open(os.path.join(set_dir, 'truth', image_id + '.mask.png'))).astype(np.int64)
    tokens = [t for line in truth['lines'] for t in line['tokens']]
    phi_tokens = [t for t in tokens if t['phi']]
    phi_lines = [line for line in truth['lines'] if any(t['phi'] for t in line['tokens'])]
    result = {'id': image_id, 'modality': truth['modality'], 'rgb': truth['rgb'], 'source': truth['source'],
              'style': truth['style'], 'contrast': truth['contrast'], 'glyphHeight': truth['glyphHeight'],
              'font': truth['font'], 'status': status, 'phiTokens': len(phi_tokens), 'phiLines': len(phi_lines)}
    if status == 'failed':
        result.update(tokensRemoved=len(phi_tokens), linesRemoved=len(phi_lines), failedClosed=True)
        return result
    if status != 'written' or output is None:
        result.update(tokensRemoved=0, linesRemoved=0, failedClosed=False, error=f'status {status}')
        return result
    before, _ = stored_frames(os.path.join(set_dir, 'text', image_id + '.dcm'))
    after, _ = stored_frames(output)
    if before.shape != after.shape:
        result.update(tokensRemoved=0, linesRemoved=0, failedClosed=False, error='shape changed')
        return result
    changed = np.any(before != after, axis=-1)                 # frames x rows x cols
    shape = changed.shape[1:]
    missed_tokens = []
    done = 0
    for t in phi_tokens:
        if removed(changed, after, labels == t['k'], t['box']):
            done += 1
        else:
            missed_tokens.append(t['k'])
    lines_done = 0
    for line in phi_lines:
        glyphs = np.isin(labels, [t['k'] for t in line['tokens']])
        lines_done += removed(changed, after, glyphs, line['box'])
    token_boxes = [t['box'] for t in tokens]
    near_tokens = box_mask(shape, token_boxes, DILATE)
    text_area = near_tokens | box_mask(shape, [line['box'] for line in truth['lines']]
                                       + [a['box'] for a in truth['annotationBoxes']], DILATE)
    ignore = box_mask(shape, truth['ignoreBoxes'], DILATE)
    # components of changed pixels on frame 0
    first = ndimage.binary_closing(changed[0], structure=np.ones((3, 3)), iterations=2) | changed[0]
    components, count = ndimage.label(first, structure=np.ones((3, 3)))
    on_text = set(np.unique(components[near_tokens])) - {0}
    on_ignore = set(np.unique(components[ignore])) - {0} - on_text
    any_changed = changed.any(axis=0)
    changed_pixels = int(changed[0][~ignore].sum())
    damage = any_changed & ~(text_area | ignore)
    result.update(tokensRemoved=done, linesRemoved=lines_done, failedClosed=False, missedTokens=missed_tokens,
                  components=count - len(on_ignore), componentsOnText=len(on_text),
                  changedPixels=changed_pixels, changedPixelsOnText=int((changed[0] & text_area & ~ignore).sum()),
                  damage=float(damage.sum() / damage.size), veilBoxes=None)
    return result


def score_clean_image(set_dir, image_id, status, output):
    truth = json.load(open(os.path.join(set_dir, 'truth', image_id + '.json')))
    result = {'id': image_id, 'modality': truth['modality'], 'rgb': truth['rgb'], 'source': truth['source'],
              'status': status}
    if status == 'failed':
        result.update(falseAlarm=True, failed=True)
        return result
    if status != 'written' or output is None:
        result.update(falseAlarm=False, failed=False, error=f'status {status}')
        return result
    before, _ = stored_frames(os.path.join(set_dir, 'clean', image_id + '.dcm'))
    after, _ = stored_frames(output)
    if before.shape != after.shape:
        result.update(falseAlarm=True, failed=False, changedShare=1.0, error='shape changed')
        return result
    changed = np.any(before != after, axis=(0, -1))
    # text that was already in the source (a radiograph's R marker) may be masked
    ignore = box_mask(changed.shape, truth['ignoreBoxes'], DILATE)
    result.update(falseAlarm=bool(changed[~ignore].any()), failed=False, changedShare=float(changed[~ignore].mean()),
                  changedOnIgnored=int(changed[ignore].sum()))
    return result


def score_one(args):
    kind, set_dir, image_id, status, output = args
    try:
        if kind == 'text':
            return score_text_image(set_dir, image_id, status, output)
        return score_clean_image(set_dir, image_id, status, output)
    except Exception as error:                             # one unreadable output must not end the run
        truth = json.load(open(os.path.join(set_dir, 'truth', image_id + '.json')))
        return {'id': image_id, 'modality': truth['modality'], 'rgb': truth['rgb'],
                'error': f'{type(error).__name__}: {error}', 'status': status}


# ---------------------------------------------------------------- OCR

def load_ocr_module():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ocr-check.py')
    spec = importlib.util.spec_from_file_location('ocr_check', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ocr_one(args):
    set_dir, image_id, paths = args
    ocr = load_ocr_module()
    truth = json.load(open(os.path.join(set_dir, 'truth', image_id + '.json')))
    strings = sorted({ocr.normalise(t['text']) for line in truth['lines'] for t in line['tokens'] if t['phi']}
                     - {''})
    strings = [s for s in strings if len(s) >= 4]
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            if path is None:
                found.append(0)
                continue
            image = next(ocr.frames(path))
            if max(image.size) <= 1024:    # ocr-check.py's 2x; large images are read as they are
                image = image.resize((image.width * 2, image.height * 2), Image.BILINEAR)
            image.save(os.path.join(scratch, 'frame.png'))
            lines = subprocess.run(['tesseract', os.path.join(scratch, 'frame.png'), '-', '--psm', '11'],
                                   capture_output=True, text=True).stdout.splitlines()
            found.append(sum(any(ocr.matches(s, line) for line in lines) for s in strings))
    return image_id, len(strings), found


# ---------------------------------------------------------------- pictures

def display(frame, photometric):
    frame = frame.astype(np.float32)
    if frame.shape[-1] == 3:
        return np.clip(frame, 0, 255).astype(np.uint8) if frame.max() <= 255 else (frame / frame.max() * 255).astype(np.uint8)
    grey = frame[..., 0]
    lo, hi = np.percentile(grey, [0.5, 99.5])
    grey = np.clip((grey - lo) / max(hi - lo, 1e-6), 0, 1) * 255
    if photometric == 'MONOCHROME1':
        grey = 255 - grey
    return np.repeat(grey[..., None], 3, axis=-1).astype(np.uint8)


def picture_tile(set_dir, result, output, width=420):
    truth = json.load(open(os.path.join(set_dir, 'truth', result['id'] + '.json')))
    before, ds = stored_frames(os.path.join(set_dir, 'text', result['id'] + '.dcm'))
    left = display(before[0], str(ds.PhotometricInterpretation))
    right = left.copy()
    if output and result.get('status') == 'written':
        after, _ = stored_frames(output)
        if after.shape == before.shape:
            right = display(after[0], str(ds.PhotometricInterpretation))
            changed = np.any(before[0] != after[0], axis=-1)
            right[changed] = (0.4 * right[changed] + 0.6 * np.array([255, 0, 0])).astype(np.uint8)
    panels = []
    for array in (left, right):
        image = Image.fromarray(array)
        draw = ImageDraw.Draw(image)
        for line in truth['lines']:
            for t in line['tokens']:
                draw.rectangle(t['box'], outline=(0, 255, 0) if t['phi'] else (80, 160, 255))
        for box in truth['ignoreBoxes']:
            draw.rectangle(box, outline=(255, 255, 0))
        scale = width / max(image.size)
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.BILINEAR)
        panels.append(image)
    tile = Image.new('RGB', (2 * width + 10, width + 16), (40, 40, 40))
    tile.paste(panels[0], (0, 0))
    tile.paste(panels[1], (width + 10, 0))
    label = (f"{result['id']} {result['modality']}{' RGB' if result.get('rgb') else ''} {truth['style']} "
             f"{truth['contrast']} h{truth['glyphHeight']} removed {result.get('tokensRemoved', 0)}/{result.get('phiTokens', 0)} "
             f"damage {100 * result.get('damage', 0):.2f}% {result.get('status')}")
    ImageDraw.Draw(tile).text((4, width + 2), label, fill=(255, 255, 255))
    return tile


def diverse(results, count):
    """Up to count results in their order, one per source image first (heads: per file), then the rest."""
    chosen, seen = [], set()
    for r in results:
        source = r.get('source', '').split(':')[0]
        if source not in seen:
            seen.add(source)
            chosen.append(r)
    chosen += [r for r in results if r not in chosen]
    return chosen[:count]


def write_pictures(folder, set_dir, results, outputs, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(seed)
    scored = [r for r in results if 'error' not in r]
    picks = {
        'missed': diverse(sorted([r for r in scored if r['tokensRemoved'] < r['phiTokens']],
                                 key=lambda r: r['tokensRemoved'] / max(1, r['phiTokens'])), 12),
        'damage': diverse(sorted([r for r in scored if r.get('damage', 0) > 0], key=lambda r: -r['damage']), 12),
        'sample': rng.sample(scored, min(12, len(scored))),
    }
    written = []
    for name, chosen in picks.items():
        if not chosen:
            continue
        tiles = [picture_tile(set_dir, r, outputs[r['id']]) for r in chosen]
        columns = 2
        rows = (len(tiles) + columns - 1) // columns
        sheet = Image.new('RGB', (columns * tiles[0].width, rows * tiles[0].height), (0, 0, 0))
        for i, tile in enumerate(tiles):
            sheet.paste(tile, ((i % columns) * tiles[0].width, (i // columns) * tiles[0].height))
        path = os.path.join(folder, f'{name}.png')
        sheet.save(path)
        written.append(path)
    return written


# ---------------------------------------------------------------- table

def group_key(result):
    return result['modality'] + (' (RGB capture)' if result.get('rgb') else '')


def summarise(text_results, clean_results):
    """Rows of figures per group and for all."""
    groups = {}
    for r in text_results:
        groups.setdefault(group_key(r), {'text': [], 'clean': []})['text'].append(r)
    for r in clean_results:
        groups.setdefault(group_key(r), {'text': [], 'clean': []})['clean'].append(r)
    rows = []
    everything = {'text': text_results, 'clean': clean_results}
    rarely = {kind: [r for r in results if r['modality'] in RARELY_TEXT and not r.get('rgb')]
              for kind, results in everything.items()}
    for name, g in sorted(groups.items()) + [('all', everything)]:
        rows.append((name, figures(g['text'], g['clean'])))
    rows.append(('rarely text (CT MR NM PT MG)', figures(rarely['text'], rarely['clean'])))
    return rows


def figures(text, clean):
    ok = [r for r in text if 'error' not in r]
    phi = sum(r['phiTokens'] for r in ok)
    removed_tokens = sum(r['tokensRemoved'] for r in ok)
    lines = sum(r['phiLines'] for r in ok)
    removed_lines = sum(r['linesRemoved'] for r in ok)
    written = [r for r in ok if not r['failedClosed']]
    components = sum(r['components'] for r in written)
    on_text = sum(r['componentsOnText'] for r in written)
    pixels = sum(r['changedPixels'] for r in written)
    on_text_pixels = sum(r['changedPixelsOnText'] for r in written)
    damages = [r['damage'] for r in written]
    recall = removed_tokens / phi if phi else None
    precision = on_text / components if components else None
    f1 = (2 * recall * precision / (recall + precision)) if recall and precision else (0.0 if recall is not None and precision is not None else None)
    clean_ok = [r for r in clean if 'error' not in r]
    return {
        'images': len(text), 'twins': len(clean), 'phiTokens': phi, 'tokenRecall': recall,
        'lineRecall': removed_lines / lines if lines else None,
        'allRemoved': sum(r['tokensRemoved'] == r['phiTokens'] for r in ok),
        'tokenPrecision': precision, 'pixelPrecision': on_text_pixels / pixels if pixels else None, 'f1': f1,
        'damageMedian': float(np.median(damages)) if damages else None,
        'damageP95': float(np.percentile(damages, 95)) if damages else None,
        'damageOver1': sum(d > 0.01 for d in damages),
        'failedClosed': sum(r['failedClosed'] for r in ok), 'errors': len(text) - len(ok) + len(clean) - len(clean_ok),
        'falseAlarm': (sum(r['falseAlarm'] for r in clean_ok) / len(clean_ok)) if clean_ok else None,
        'falseAlarms': sum(r['falseAlarm'] for r in clean_ok),
        'scanned': sum(bool(r.get('triage')) or r['status'] == 'failed' for r in text), 'twinFailed': sum(r.get('failed', False) for r in clean_ok),
    }


def fmt(value, percent=False, digits=3):
    if value is None:
        return '–'
    return f'{100 * value:.2f}%' if percent else f'{value:.{digits}f}'


def print_table(rows, seconds_text, seconds_clean, images, frames, area, mode, set_dir, ocr_summary):
    print(f'## Burned-in text: `--clean-pixel-data {mode}` on {set_dir} ({images} images, {frames} frames)\n')
    print('"scanned": images veil looked at (a pixelText record, or failed); "(RGB capture)": the image rendered as an '
          'RGB secondary capture; the "rarely text" row pools grey CT, MR, NM, PT and MG.\n')
    print('| group | images | scanned | PHI tokens | token recall | line recall | all removed | token precision | pixel precision '
          '| F1 | damage median | damage p95 | >1% damaged | failed closed | twins | false alarms |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for name, f in rows:
        print(f"| {name} | {f['images']} | {f['scanned']} | {f['phiTokens']} | {fmt(f['tokenRecall'])} | {fmt(f['lineRecall'])} | "
              f"{f['allRemoved']}/{f['images']} | {fmt(f['tokenPrecision'])} | {fmt(f['pixelPrecision'])} | {fmt(f['f1'])} | "
              f"{fmt(f['damageMedian'], True)} | {fmt(f['damageP95'], True)} | {f['damageOver1']} | {f['failedClosed']} | "
              f"{f['twins']} | {f['falseAlarms']} ({fmt(f['falseAlarm'], True)}) |")
    everything = dict(rows)['all']
    rarely = dict(rows)['rarely text (CT MR NM PT MG)']

    def check(value, target, lower_is_better=False):
        if value is None:
            return '–'
        good = value <= target if lower_is_better else value >= target
        return 'met' if good else 'NOT met'

    print('\n| figure (all images) | value | target | |')
    print('|---|---|---|---|')
    print(f"| PHI token recall | {fmt(everything['tokenRecall'])} | ≥ {TARGETS['recall']} | {check(everything['tokenRecall'], TARGETS['recall'])} |")
    print(f"| PHI line recall | {fmt(everything['lineRecall'])} | ≥ {TARGETS['recall']} | {check(everything['lineRecall'], TARGETS['recall'])} |")
    print(f"| token precision | {fmt(everything['tokenPrecision'])} | ≥ {TARGETS['precision']} | {check(everything['tokenPrecision'], TARGETS['precision'])} |")
    print(f"| F1 | {fmt(everything['f1'])} | ≥ {TARGETS['f1']} | {check(everything['f1'], TARGETS['f1'])} |")
    print(f"| damage median | {fmt(everything['damageMedian'], True)} | ≤ 0.2% | {check(everything['damageMedian'], TARGETS['damage_median'], True)} |")
    print(f"| damage p95 | {fmt(everything['damageP95'], True)} | ≤ 1% | {check(everything['damageP95'], TARGETS['damage_p95'], True)} |")
    print(f"| false alarms, twins of CT/MR/NM/PT/MG | {rarely['falseAlarms']}/{rarely['twins']} ({fmt(rarely['falseAlarm'], True)}) | ≤ 1% | {check(rarely['falseAlarm'], TARGETS['false_alarm'], True)} |")
    print(f"| time per image, text set | {seconds_text / max(1, images):.3f} s | ≤ 0.3 s with text | {check(seconds_text / max(1, images), 0.3, True)} |")
    print(f"| time per frame, text set | {1000 * seconds_text / max(1, frames):.1f} ms | | |")
    print(f"| time per 512² of pixels, text set | {1000 * seconds_text / max(1, area):.1f} ms | | |")
    print(f"| time per image, twins | {seconds_clean / max(1, images):.3f} s | | |")
    print(f"| time per frame, twins | {1000 * seconds_clean / max(1, frames):.1f} ms | | |")
    print(f"| time per 512² of pixels, twins | {1000 * seconds_clean / max(1, area):.1f} ms | ≤ 30 ms per 512² frame | "
          f"{check(seconds_clean / max(1, area), 0.03, True)} |")
    print(f"| failed closed (text set / twins) | {everything['failedClosed']} / {everything['twinFailed']} | | |")
    if everything['errors']:
        print(f"| scoring errors | {everything['errors']} | 0 | see --json |")
    if ocr_summary:
        print(f"| OCR: header PHI strings read in inputs | {ocr_summary[1]} of {ocr_summary[0]} | | |")
        print(f"| OCR: header PHI strings read in outputs | {ocr_summary[2]} of {ocr_summary[0]} | 0 | {'met' if ocr_summary[2] == 0 else 'NOT met'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--veil', required=True)
    parser.add_argument('--set', required=True, dest='set_dir')
    parser.add_argument('--mode', default='flagged', choices=['flagged', 'all'])
    parser.add_argument('--jobs', type=int, default=1, help='veil --jobs (default 1: time per core)')
    parser.add_argument('--score-jobs', type=int, default=os.cpu_count() or 1, help='processes for scoring')
    parser.add_argument('--work', help='keep veil outputs here (default: a temporary folder)')
    parser.add_argument('--reuse', action='store_true', help='reuse runs already in --work')
    parser.add_argument('--ocr', action='store_true')
    parser.add_argument('--pictures')
    parser.add_argument('--json')
    args = parser.parse_args()
    set_dir = os.path.abspath(args.set_dir)
    ids = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(set_dir, 'text', '*.dcm')))
    clean_ids = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(set_dir, 'clean', '*.dcm')))
    if not ids or ids != clean_ids:
        sys.exit('the set needs text/NNNN.dcm and clean/NNNN.dcm for the same ids')
    temporary = None
    work = args.work
    if not work:
        temporary = tempfile.mkdtemp(prefix='text-accuracy-')
        work = temporary
    work = os.path.join(os.path.abspath(work), args.mode)
    os.makedirs(work, exist_ok=True)
    key = os.path.join(work, 'key')
    if not os.path.exists(key):
        subprocess.run([args.veil, 'keygen', key], check=True, capture_output=True)
    runs = {}
    for kind in ('text', 'clean'):
        manifest, seconds = run_veil(args.veil, os.path.join(set_dir, kind), os.path.join(work, kind), args.mode,
                                     args.jobs, key, args.reuse)
        runs[kind] = (read_manifest(manifest, os.path.dirname(manifest), len(ids)), seconds)
    outputs = {kind: {i: runs[kind][0][n][1] for n, i in enumerate(ids)} for kind in runs}
    tasks = [(kind, set_dir, i, runs[kind][0][n][0], runs[kind][0][n][1]) for kind in ('text', 'clean')
             for n, i in enumerate(ids)]
    with ProcessPoolExecutor(max_workers=max(1, args.score_jobs)) as pool:
        scored = list(pool.map(score_one, tasks, chunksize=4))
    text_results, clean_results = scored[:len(ids)], scored[len(ids):]
    for n, r in enumerate(text_results):
        pixel_text = runs['text'][0][n][3]
        r['veilBoxes'] = len(pixel_text['boxes']) if pixel_text else 0
        r['triage'] = pixel_text['triage'] if pixel_text else None
        r['reason'] = runs['text'][0][n][2]
    for n, r in enumerate(clean_results):
        pixel_text = runs['clean'][0][n][3]
        r['veilBoxes'] = len(pixel_text['boxes']) if pixel_text else 0
        r['reason'] = runs['clean'][0][n][2]
    ocr_summary = None
    if args.ocr:
        previous = {}
        if args.reuse and args.json and os.path.exists(args.json):
            # the readings of the last run over the same outputs
            last = json.load(open(args.json))
            if last.get('mode') == args.mode and last.get('set') == set_dir:
                previous = {r['id']: r['ocr'] for r in last['text'] if 'ocr' in r}
        if len(previous) == len(ids):
            ocr_summary = (sum(p['strings'] for p in previous.values()), sum(p['readInInput'] for p in previous.values()),
                           sum(p['readInOutput'] for p in previous.values()))
            for r in text_results:
                r['ocr'] = previous[r['id']]
        elif not shutil.which('tesseract'):
            print('note: tesseract is not installed; --ocr skipped', file=sys.stderr)
        else:
            jobs = [(set_dir, i, [os.path.join(set_dir, 'text', i + '.dcm'), outputs['text'][i]]) for i in ids]
            with ProcessPoolExecutor(max_workers=max(1, args.score_jobs)) as pool:
                read = list(pool.map(ocr_one, jobs))
            ocr_summary = (sum(r[1] for r in read), sum(r[2][0] for r in read), sum(r[2][1] for r in read))
            by_id = {r[0]: r for r in read}
            for r in text_results:
                _, total, (before, after) = by_id[r['id']]
                r['ocr'] = {'strings': total, 'readInInput': before, 'readInOutput': after}
    rows = summarise(text_results, clean_results)
    truths = [json.load(open(os.path.join(set_dir, 'truth', i + '.json'))) for i in ids]
    frames = sum(t['frames'] for t in truths)
    area = sum(t['frames'] * t['rows'] * t['columns'] for t in truths) / 512 ** 2   # in 512² frames
    print_table(rows, runs['text'][1], runs['clean'][1], len(ids), frames, area, args.mode, set_dir, ocr_summary)
    if args.pictures:
        written = write_pictures(args.pictures, set_dir, text_results, outputs['text'])
        twins = diverse(sorted([r for r in clean_results if r.get('falseAlarm') and not r.get('failed') and 'error' not in r],
                               key=lambda r: -r.get('changedShare', 0)), 12)
        if twins:
            tiles = []
            for r in twins[:12]:
                fake = dict(r, tokensRemoved=0, phiTokens=0, damage=r.get('changedShare', 0))
                tiles.append(picture_tile_clean(set_dir, fake, outputs['clean'][r['id']]))
            columns = 2
            rows_n = (len(tiles) + columns - 1) // columns
            sheet = Image.new('RGB', (columns * tiles[0].width, rows_n * tiles[0].height))
            for i, tile in enumerate(tiles):
                sheet.paste(tile, ((i % columns) * tiles[0].width, (i // columns) * tiles[0].height))
            path = os.path.join(args.pictures, 'twin-false-alarms.png')
            sheet.save(path)
            written.append(path)
        print('\npictures: ' + ', '.join(written))
    if args.json:
        json.dump({'mode': args.mode, 'set': set_dir, 'secondsText': runs['text'][1], 'secondsClean': runs['clean'][1],
                   'summary': dict(rows), 'text': text_results, 'clean': clean_results}, open(args.json, 'w'), indent=1)
    if temporary:
        shutil.rmtree(temporary, ignore_errors=True)


def picture_tile_clean(set_dir, result, output, width=420):
    before, ds = stored_frames(os.path.join(set_dir, 'clean', result['id'] + '.dcm'))
    left = display(before[0], str(ds.PhotometricInterpretation))
    right = left.copy()
    after, _ = stored_frames(output)
    if after.shape == before.shape:
        right = display(after[0], str(ds.PhotometricInterpretation))
        changed = np.any(before[0] != after[0], axis=-1)
        right[changed] = (0.4 * right[changed] + 0.6 * np.array([255, 0, 0])).astype(np.uint8)
    tile = Image.new('RGB', (2 * width + 10, width + 16), (40, 40, 40))
    for n, array in enumerate((left, right)):
        image = Image.fromarray(array)
        scale = width / max(image.size)
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.BILINEAR)
        tile.paste(image, (n * (width + 10), 0))
    ImageDraw.Draw(tile).text((4, width + 2), f"twin {result['id']} {result['modality']}{' RGB' if result.get('rgb') else ''} changed {100 * result['damage']:.2f}%",
                              fill=(255, 255, 255))
    return tile


if __name__ == '__main__':
    main()
