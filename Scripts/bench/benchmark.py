#!/usr/bin/env python3
"""Times `veil anonymize` against `cp -r`, gdcmanon and dcmanon on one generated CT corpus.

usage: Scripts/bench/benchmark.py [--files N] [--rounds R] [--work DIR] [--veil PATH] [--only TOOL,...]

dcmanon (PyPI, Rust behind Python) has no batch command in its wheel: it runs through a small
Python loop that anonymizes each file to bytes and writes them, one process, as the research
measured it. It is installed into <work>/peers/ (pip --target), outside the system Python.

Every tool runs R times in rotating order on the same corpus (page cache warm). Two times per
run: until the tool exits, and until its output is on disk (the tool, then `sync`). Veil flushes
its output before writing the manifest, so its two times are nearly equal; cp and gdcmanon leave
the flushing to the kernel. The table shows medians, files/s and MB/s to disk, peak RSS, and how
many times faster Veil is than each peer measured in the same run. Scripts/bench/benchmark.sh builds
Veil in release mode and calls this.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAKE_CORPUS = os.path.join(ROOT, "Scripts", "fixtures", "make-benchmark-corpus.py")


def corpus_size(folder):
    files = 0
    size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(root, name))
    return files, size


def warm(folder):
    for root, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 20):
                    pass


# dcmanon's Python API over a folder: one output file per input file, same relative path.
DCMANON_DRIVER = """
import os, sys
sys.path.insert(0, sys.argv[1])
from dcmanon import Anonymizer
anonymizer = Anonymizer()
source, target = sys.argv[2], sys.argv[3]
for root, _, names in os.walk(source):
    folder = os.path.join(target, os.path.relpath(root, source))
    os.makedirs(folder, exist_ok=True)
    for name in sorted(names):
        data = anonymizer.anonymize(os.path.join(root, name))
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
"""


def install_dcmanon(work):
    """dcmanon 0.3.1 from PyPI into <work>/peers/dcmanon; None when pip cannot fetch it."""
    target = os.path.join(work, "peers", "dcmanon")
    if not os.path.isdir(os.path.join(target, "dcmanon")):
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", target,
                                 "dcmanon==0.3.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode != 0:
            print("dcmanon: pip could not install dcmanon==0.3.1; left out", file=sys.stderr)
            return None
    return target


def run(command):
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", default="/tmp/veil-benchmark")
    parser.add_argument("--veil", default=os.path.join(ROOT, ".build", "release", "veil"))
    parser.add_argument("--only", default="")
    parser.add_argument("--baseline", default="", help="another veil binary (e.g. the last release) to time beside")
    args = parser.parse_args()

    corpus = os.path.join(args.work, f"corpus-{args.files}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, MAKE_CORPUS, corpus,
                        "--files", str(args.files)], check=True)
    files, size = corpus_size(corpus)
    key = os.path.join(args.work, "bench.key")
    if not os.path.exists(key):
        subprocess.run([args.veil, "keygen", key], check=True, stdout=subprocess.DEVNULL)
    cert = os.path.join(args.work, "cert.pem")
    if shutil.which("gdcmanon") and not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-keyout", os.path.join(args.work, "key.pem"),
                        "-out", cert, "-days", "365", "-nodes", "-subj", "/CN=veil-benchmark"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    tools = {
        "veil anonymize": lambda out: [args.veil, "anonymize", corpus, "--output", out, "--key-file", key],
        "veil anonymize --jobs 1": lambda out: [args.veil, "anonymize", corpus, "--output", out, "--key-file", key,
                                                "--jobs", "1"],
        "cp -r": lambda out: ["cp", "-r", corpus, out],
    }
    if shutil.which("eatmydata"):
        # The same run with fsync and syncfs made no-ops: what Veil's durability guarantee costs.
        tools["veil (no fsync)"] = lambda out: ["eatmydata", args.veil, "anonymize", corpus, "--output", out,
                                                "--key-file", key]
    if args.baseline:
        tools["veil baseline"] = lambda out: [args.baseline, "anonymize", corpus, "--output", out, "--key-file", key]
    if shutil.which("gdcmanon"):
        # PS3.15 mode, as the research measured it (E.1.1 encryption of the removed attributes).
        tools["gdcmanon (PS3.15)"] = lambda out: ["gdcmanon", "-e", "-r", "--continue", "-c", cert, "-i", corpus, "-o", out]
    dcmanon = install_dcmanon(args.work)
    if dcmanon:
        tools["dcmanon (PyPI)"] = lambda out: [sys.executable, "-c", DCMANON_DRIVER, dcmanon, corpus, out]
    if args.only:
        wanted = args.only.split(",")
        tools = {name: command for name, command in tools.items() if any(w in name for w in wanted)}

    print(f"corpus: {files} files, {size / 1e6:.0f} MB ({args.files} CT slices 512x512), {args.rounds} rounds, "
          f"{os.cpu_count()} cores")
    warm(corpus)
    times = {name: [] for name in tools}
    durable = {name: [] for name in tools}
    peaks = {name: [] for name in tools}
    cpu = {name: [] for name in tools}
    names = list(tools)
    for round_index in range(args.rounds):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            out = os.path.join(args.work, f"out-{round_index}-{names.index(name)}")
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run(["sync"])
            start = time.perf_counter()
            seconds, used, peak = run(tools[name](out))
            cpu[name].append(used)
            subprocess.run(["sync"])
            durable[name].append(time.perf_counter() - start)
            times[name].append(seconds)
            peaks[name].append(peak)
            shutil.rmtree(out, ignore_errors=True)

    medians = {name: statistics.median(values) for name, values in times.items()}
    on_disk = {name: statistics.median(values) for name, values in durable.items()}
    reference = "veil anonymize" if "veil anonymize" in medians else names[0]
    print()
    cpu_per_file = {name: statistics.median(values) / files * 1000 for name, values in cpu.items()}
    header = (f"{'tool':<26}{'exit s':>8}{'on disk s':>11}{'files/s':>9}{'MB/s':>7}{'CPU ms/file':>12}"
              f"{'peak RSS':>10}{'Veil faster':>13}")
    print(header)
    print("-" * len(header))
    for name in names:
        seconds = on_disk[name]
        rss = f"{max(peaks[name]) / 1024:.0f} MiB" if peaks[name] else "-"
        ratio = on_disk[name] / on_disk[reference]
        print(f"{name:<26}{medians[name]:>8.2f}{seconds:>11.2f}{files / seconds:>9.0f}{size / 1e6 / seconds:>7.0f}"
              f"{cpu_per_file[name]:>12.3f}{rss:>10}{ratio:>12.2f}x")
    print()
    print("files/s and MB/s are to disk (median of 'on disk'). 'Veil faster': the peer's time divided by")
    print("Veil's (default jobs), both to disk; below 1 Veil is slower. Ratio by exit time: " +
          ", ".join(f"{name} {medians[name] / medians[reference]:.2f}x" for name in names if name != reference))
    targets(on_disk, cpu_per_file, names)
    print("Runs (exit s): " + "; ".join(f"{name}: " + " ".join(f"{t:.2f}" for t in times[name]) for name in names))


def targets(on_disk, cpu_per_file, names):
    """The goals of the batch and restructure issues, checked on this run's medians."""
    veil = on_disk.get("veil anonymize")
    if veil is None:
        return
    checks = [("gdcmanon (PS3.15)", 1.5, "files/s >= 1.5x gdcmanon"), ("cp -r", 0.5, "files/s >= 0.5x cp -r")]
    for peer, factor, text in checks:
        if peer in on_disk:
            ratio = on_disk[peer] / veil  # Veil's files/s over the peer's
            print(f"target {text}: {ratio:.2f}x -> {'met' if ratio >= factor else 'NOT met'}")
    peers = [name for name in ("gdcmanon (PS3.15)", "dcmanon (PyPI)") if name in on_disk]
    if peers:
        fastest = min(peers, key=lambda name: on_disk[name])
        ratio = on_disk[fastest] / veil
        print(f"target files/s >= 1.5x the fastest peer ({fastest}): {ratio:.2f}x -> "
              f"{'met' if ratio >= 1.5 else 'NOT met'}")
    if "dcmanon (PyPI)" in cpu_per_file:
        ratio = cpu_per_file["veil anonymize --jobs 1"] / cpu_per_file["dcmanon (PyPI)"]
        print(f"target CPU per file <= dcmanon's (Veil with one job): {ratio:.2f}x -> "
              f"{'met' if ratio <= 1.0 else 'NOT met'}")
    if "cp -r" in on_disk and peers:
        ceiling = on_disk[fastest] / on_disk["cp -r"]
        print(f"ceiling: cp -r itself is {ceiling:.2f}x the fastest peer's files/s on this file system")
    if "veil (no fsync)" in on_disk:
        print(f"durability (fsync of outputs, syncfs before the manifest) costs Veil "
              f"{veil / on_disk['veil (no fsync)']:.2f}x its time without it")
    if "veil baseline" in on_disk:
        print(f"this Veil against the baseline: files/s {on_disk['veil baseline'] / veil:.2f}x, CPU per file "
              f"{cpu_per_file['veil anonymize'] / cpu_per_file['veil baseline']:.2f}x")


if __name__ == "__main__":
    main()
