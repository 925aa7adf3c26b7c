#!/usr/bin/env python3
"""Shows that Veil's memory does not grow with the number of files or the size of a file: peak
RSS of `veil anonymize` on 100 and on 10,000 small CT slices (64x64), and on one file with a
1 GiB Pixel Data element, side by side. Not run by CI.

usage: Scripts/bench/memory-check.py [--work DIR] [--veil PATH] [--large N] [--huge-mib M]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAKE_CORPUS = os.path.join(ROOT, "Scripts", "fixtures", "make-benchmark-corpus.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/veil-memory")
    parser.add_argument("--veil", default=os.path.join(ROOT, ".build", "release", "veil"))
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--huge-mib", type=int, default=1024)
    args = parser.parse_args()
    if not os.path.exists(args.veil):
        subprocess.run(["swift", "build", "-c", "release", "--product", "veil"], cwd=ROOT, check=True)
    results = []
    for files in (100, args.large):
        corpus = os.path.join(args.work, f"corpus-{files}")
        if not os.path.isdir(corpus):
            subprocess.run([sys.executable, MAKE_CORPUS, corpus,
                            "--files", str(files), "--size", "64"], check=True, stdout=subprocess.DEVNULL)
        results.append((f"{files} files", *measure(args.veil, corpus, os.path.join(args.work, f"out-{files}"))))
    huge = os.path.join(args.work, f"huge-{args.huge_mib}")
    if not os.path.isdir(huge):
        write_huge_file(huge, args.huge_mib)
    results.append((f"1 file, {args.huge_mib} MiB", *measure(args.veil, huge, os.path.join(args.work, "out-huge"))))

    print(f"{'input':>20} {'peak RSS':>10} {'seconds':>8}")
    for name, rss, seconds in results:
        print(f"{name:>20} {rss:>8.0f} MiB {seconds:>8.1f}")
    by_count = results[1][1] / results[0][1]
    by_size = results[2][1] / results[0][1]
    print(f"peak RSS ratio {args.large} files / 100 files: {by_count:.2f}")
    print(f"peak RSS ratio one {args.huge_mib} MiB file / 100 small files: {by_size:.2f}")
    sys.exit(0 if by_count < 1.5 and by_size < 1.5 else 1)


def measure(veil, corpus, output):
    """Peak RSS (MiB) and wall seconds of one `veil anonymize` run."""
    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([veil, "anonymize", corpus, "--output", output, "--progress", "none"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"veil failed on {corpus}")
    shutil.rmtree(output, ignore_errors=True)
    return usage.ru_maxrss / 1024, seconds


def write_huge_file(folder, mebibytes):
    """One CT slice whose Pixel Data element holds `mebibytes` MiB (the memory test does not
    need the rows and columns to match). Written by a child process: a child forked from a large
    parent would report the parent's pages in its own peak RSS."""
    os.makedirs(folder, exist_ok=True)
    script = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('corpus', sys.argv[1])\n"
        "corpus = importlib.util.module_from_spec(spec); spec.loader.exec_module(corpus)\n"
        "corpus.write_slice(sys.argv[2], bytes(int(sys.argv[3]) << 20), 512, 1, 1, 1, 1, None)\n")
    subprocess.run([sys.executable, "-c", script, MAKE_CORPUS,
                    os.path.join(folder, "HUGE.dcm"), str(mebibytes)], check=True)

if __name__ == "__main__":
    main()
