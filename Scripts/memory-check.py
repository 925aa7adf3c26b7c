#!/usr/bin/env python3
"""Shows that Veil's memory does not grow with the number of files: peak RSS of `veil anonymize`
on 100 and on 10,000 small CT slices (64x64), side by side. Not run by CI.

usage: Scripts/memory-check.py [--work DIR] [--veil PATH] [--large N]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/veil-memory")
    parser.add_argument("--veil", default=os.path.join(ROOT, ".build", "release", "veil"))
    parser.add_argument("--large", type=int, default=10000)
    args = parser.parse_args()
    if not os.path.exists(args.veil):
        subprocess.run(["swift", "build", "-c", "release", "--product", "veil"], cwd=ROOT, check=True)
    results = []
    for files in (100, args.large):
        corpus = os.path.join(args.work, f"corpus-{files}")
        if not os.path.isdir(corpus):
            subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make-benchmark-corpus.py"), corpus,
                            "--files", str(files), "--size", "64"], check=True, stdout=subprocess.DEVNULL)
        output = os.path.join(args.work, f"out-{files}")
        shutil.rmtree(output, ignore_errors=True)
        start = time.perf_counter()
        process = subprocess.Popen([args.veil, "anonymize", corpus, "--output", output, "--progress", "none"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"veil failed on {files} files")
        results.append((files, usage.ru_maxrss / 1024, seconds))
        shutil.rmtree(output, ignore_errors=True)
    print(f"{'files':>8} {'peak RSS':>10} {'seconds':>8}")
    for files, rss, seconds in results:
        print(f"{files:>8} {rss:>8.0f} MiB {seconds:>8.1f}")
    ratio = results[1][1] / results[0][1]
    print(f"peak RSS ratio {args.large} files / 100 files: {ratio:.2f}")
    sys.exit(0 if ratio < 1.5 else 1)


if __name__ == "__main__":
    main()
