#!/usr/bin/env bash
# Starts a private one-node Slurm cluster on this machine (its own munged, slurmctld and slurmd
# on loopback, on free ports), de-identifies a generated corpus with Scripts/slurm/veil-array.sbatch
# as a 4-task job array, merges the shards' manifests, and checks that the result equals one
# `veil anonymize` run: the same files, byte for byte, and the same manifest records.
#
# Safe on a machine that already runs Slurm or MUNGE: everything lives in one temporary folder
# (configuration through SLURM_CONF, munge key and socket, spool, logs); /etc/slurm and
# /etc/munge are never read or written, and on exit only the daemons this script started are
# stopped, by their process IDs. Needs root (SlurmUser=root; it installs slurm-wlm and munge
# when missing). Not run by CI.
#
# usage: Scripts/slurm/test-slurm.sh [--files N]
#        VEIL=path/to/veil Scripts/slurm/test-slurm.sh    uses that binary instead of a release build
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
files=600
[[ ${1:-} == --files ]] && files=${2:?--files needs a number}

Scripts/install-dependencies.sh slurm-wlm munge libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev
if [[ -z ${VEIL:-} ]]; then
    swift build -c release --product veil
    VEIL="$root/.build/release/veil"
fi
veil=$(realpath "$VEIL")

work=$(mktemp -d /tmp/veil-slurm.XXXXXX)
chmod 0755 "$work"
pids=()
job=
stop() {
    local status=$?
    [[ -n $job ]] && scancel "$job" >/dev/null 2>&1 || true
    # Newest first: slurmd, slurmctld, then munged.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $status -eq 0 ]]; then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap stop EXIT
host=$(hostname -s)
cpus=$(nproc)
# Two free TCP ports on loopback for this cluster's slurmctld and slurmd.
read -r ctld_port d_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for one in s: one.bind(("127.0.0.1", 0))
print(*(one.getsockname()[1] for one in s))')

# munge: a private daemon with its own key and socket, in the foreground so that $! is its PID.
mkdir -m 0711 "$work/munge"  # munged wants its socket folder searchable by all
dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2>/dev/null
chmod 0400 "$work/munge/munge.key"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
    >"$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $work/munge/munge.socket ]] && break; sleep 0.1; done

# Slurm: one node, one partition, everything on this machine, everything in $work.
mkdir -p "$work/spool/ctld" "$work/spool/d"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=veiltest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# -D keeps each daemon in the foreground, so that $! is its PID; -c starts from a clean state.
slurmctld -D -c -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -c -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mix' && break; sleep 1; done
sinfo

python3 Scripts/fixtures/make-benchmark-corpus.py "$work/export" --files "$files" --size 128
"$veil" keygen "$work/project.key" >/dev/null

# The array: 4 shards, each task with one CPU.
job=$(sbatch --parsable --array=1-4 --cpus-per-task=1 --chdir="$work" \
      --export=ALL,VEIL="$veil" Scripts/slurm/veil-array.sbatch "$work/export" "$work/sharded" "$work/project.key")
echo "submitted job array $job"
while squeue -h -j "$job" 2>/dev/null | grep -q .; do sleep 1; done
job=
"$veil" manifest merge "$work"/sharded/manifests/shard-*.jsonl -o "$work/merged.jsonl"

# One machine, one run.
"$veil" anonymize "$work/export" --output "$work/single" --key-file "$work/project.key" --progress none >/dev/null

python3 - "$work" <<'PY'
import hashlib, json, os, sys
work = sys.argv[1]
def files(folder):
    out = {}
    for base, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".dcm"):
                path = os.path.join(base, name)
                out[os.path.relpath(path, folder)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return out
def records(path):
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in list(open(path))[1:])
single, sharded = files(os.path.join(work, "single")), files(os.path.join(work, "sharded"))
same_files = single == sharded
same_records = records(os.path.join(work, "single", "manifest.jsonl")) == records(os.path.join(work, "merged.jsonl"))
print(f"single run: {len(single)} files; 4 Slurm shards: {len(sharded)} files")
print(f"identical files: {same_files}; identical manifest records: {same_records}")
sys.exit(0 if same_files and same_records and single else 1)
PY
echo "Slurm job array result equals one veil run"
