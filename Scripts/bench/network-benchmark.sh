#!/usr/bin/env bash
# Network benchmark (not a timed test, not run by CI): N CT slices (default 2,000, 512²) in
# Orthanc A, moved to an archive three ways, each into a fresh Orthanc:
#   veil     veil pull A --method move --push B   (retrieve, de-identify, C-STORE)
#   orthanc  Orthanc A's own C-STORE to B          (POST /modalities/b/store: direct copy, no de-identification)
#   dcmsend  DCMTK's dcmsend of the same files to B (from disk, no de-identification)
# Prints instances/s and Veil's ratio to each; the target is Veil >= 0.5x the direct copy.
# Everything runs on 127.0.0.1 with free ports; the Orthanc servers are stopped by their PIDs.
# usage: Scripts/bench/network-benchmark.sh [--files N] [--size S] [--veil PATH]
set -euo pipefail
cd "$(dirname "$0")/../.."

files=2000 size=512 veil=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --files) files=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --veil) veil=$2; shift 2 ;;
    *) echo "usage: $0 [--files N] [--size S] [--veil PATH]" >&2; exit 64 ;;
    esac
done

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev dcmtk orthanc orthanc-dicomweb curl
if [[ -z $veil ]]; then
    swift build -c release --product veil
    veil=.build/release/veil
fi
work=$(mktemp -d /tmp/veil-netbench-XXXXXX)
orthanc=Scripts/testing/orthanc.sh
cleanup() {
    for name in a b-veil b-orthanc b-dcmsend; do "$orthanc" stop "$work" "$name" || true; done
    rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{$1/($3-$2):8.1f}')"; }

echo "corpus: $files slices of ${size}² ..." >&2
python3 Scripts/fixtures/make-benchmark-corpus.py "$work/corpus" --files "$files" --size "$size" >/dev/null
local_port=$(port)
declare -A dicom http
for name in a b-veil b-orthanc b-dcmsend; do dicom[$name]=$(port); http[$name]=$(port); done
aet() { case $1 in a) echo ORTHANC_A ;; b-veil) echo ARCHIVE_V ;; b-orthanc) echo ARCHIVE_O ;; b-dcmsend) echo ARCHIVE_D ;; esac; }
"$orthanc" start "$work" a ORTHANC_A "${dicom[a]}" "${http[a]}" modality "VEIL:$local_port" modality "LOADER:1" \
    modality "ARCHIVE_O:${dicom[b-orthanc]}"
for name in b-veil b-orthanc b-dcmsend; do
    "$orthanc" start "$work" "$name" "$(aet "$name")" "${dicom[$name]}" "${http[$name]}" modality "VEIL:$local_port" \
        modality "ORTHANC_A:${dicom[a]}" modality "LOADER:1"
done
echo "loading A ..." >&2
dcmsend -aet LOADER -aec ORTHANC_A 127.0.0.1 "${dicom[a]}" "$work/corpus" +sd +r -nuc >/dev/null 2>&1 || true
count=$(curl -s "http://127.0.0.1:${http[a]}/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])')
echo "A holds $count instances" >&2

cat >"$work/nodes.yaml" <<YAML
local: {aet: VEIL, port: $local_port}
nodes:
  a: {aet: ORTHANC_A, host: 127.0.0.1, port: ${dicom[a]}, dimse_timeout: 600}
  b: {aet: ARCHIVE_V, host: 127.0.0.1, port: ${dicom[b-veil]}, dimse_timeout: 600}
YAML
"$veil" keygen "$work/project.key" >/dev/null

start=$(now)
TCP_NODELAY=1 "$veil" pull a --nodes "$work/nodes.yaml" --query 'PatientID=*' --method move --output "$work/out" \
    --key-file "$work/project.key" --push b --progress none >"$work/veil.log" 2>&1 || { cat "$work/veil.log" >&2; exit 1; }
end=$(now)
veil_rate=$(rate "$count" "$start" "$end")

start=$(now)
curl -s -X POST "http://127.0.0.1:${http[a]}/modalities/ARCHIVE_O/store" \
    -d "{\"Resources\": $(curl -s "http://127.0.0.1:${http[a]}/studies"), \"Synchronous\": true}" >/dev/null
end=$(now)
orthanc_rate=$(rate "$count" "$start" "$end")

start=$(now)
TCP_NODELAY=1 dcmsend -aet LOADER -aec ARCHIVE_D 127.0.0.1 "${dicom[b-dcmsend]}" "$work/corpus" +sd +r -nuc >/dev/null 2>&1
end=$(now)
dcmsend_rate=$(rate "$count" "$start" "$end")

for name in b-veil b-orthanc b-dcmsend; do
    got=$(curl -s "http://127.0.0.1:${http[$name]}/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])')
    echo "$name holds $got instances" >&2
done
printf '%-44s %10s\n' "path ($count instances)" "inst/s"
printf '%-44s %10s\n' "veil pull --method move --push (de-identified)" "$veil_rate"
printf '%-44s %10s\n' "Orthanc A C-STORE to B (direct copy)" "$orthanc_rate"
printf '%-44s %10s\n' "dcmsend files to B (direct copy)" "$dcmsend_rate"
python3 -c "print(f'veil / orthanc direct: {$veil_rate/$orthanc_rate:.2f}x   veil / dcmsend: {$veil_rate/$dcmsend_rate:.2f}x   (target >= 0.5x)')"
