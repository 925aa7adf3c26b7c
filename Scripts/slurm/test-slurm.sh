#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (munge, slurmctld and slurmd on loopback),
# de-identifies a generated corpus with Scripts/slurm/veil-array.sbatch as a 4-task job array,
# merges the shards' manifests, and checks that the result equals one `veil anonymize` run:
# the same files, byte for byte, and the same manifest records. Needs root (it installs
# slurm-wlm and munge when missing). Not run by CI.
# usage: Scripts/slurm/test-slurm.sh [--files N]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
files=${2:-600}

Scripts/install-dependencies.sh slurm-wlm munge libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev
swift build -c release --product veil
veil="$root/.build/release/veil"

work=$(mktemp -d /tmp/veil-slurm.XXXXXX)
trap 'scancel --user=root >/dev/null 2>&1 || true; pkill -x slurmd || true; pkill -x slurmctld || true; pkill -x munged || true' EXIT
host=$(hostname -s)
cpus=$(nproc)

# munge: one key, its own runtime folders.
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
[[ -f /etc/munge/munge.key ]] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || munged --force

# Slurm: one node, one partition, everything on this machine.
mkdir -p "$work/spool/ctld" "$work/spool/d" /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=veiltest
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
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
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -c
slurmd -c
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mix' && break; sleep 1; done
sinfo

python3 Scripts/make-benchmark-corpus.py "$work/export" --files "$files" --size 128
"$veil" keygen "$work/project.key" >/dev/null

# The array: 4 shards, each task with one CPU.
job=$(sbatch --parsable --array=1-4 --cpus-per-task=1 --chdir="$work" \
      --export=ALL,VEIL="$veil" Scripts/slurm/veil-array.sbatch "$work/export" "$work/sharded" "$work/project.key")
echo "submitted job array $job"
while squeue -h -j "$job" 2>/dev/null | grep -q .; do sleep 1; done
sacct -j "$job" >/dev/null 2>&1 || true
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
