#!/usr/bin/env bash
# Gateway load benchmark (not a timed test, not run by CI): N CT slices (default 2,000) sent by
# 5 senders at once (dcmsend, calling AE titles SENDER1..5) to `veil gateway run`, which
# de-identifies them and forwards them to Orthanc B; timed until B holds them all. Next to it,
# the same instances copied by Orthanc A to another Orthanc directly (POST /modalities/x/store,
# no de-identification). Prints instances/s of both, and checks that none was lost.
# Everything runs on 127.0.0.1 with free ports; servers and the gateway are stopped by their PIDs.
# usage: Scripts/bench/gateway-benchmark.sh [--files N] [--size S] [--senders K] [--veil PATH]
set -euo pipefail
cd "$(dirname "$0")/../.."

files=2000 size=256 senders=5 veil=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --files) files=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --senders) senders=$2; shift 2 ;;
    --veil) veil=$2; shift 2 ;;
    *) echo "usage: $0 [--files N] [--size S] [--senders K] [--veil PATH]" >&2; exit 64 ;;
    esac
done

Scripts/install-dependencies.sh libdcmtk-dev zlib1g-dev libopenjp2-7-dev libpng-dev dcmtk orthanc orthanc-dicomweb curl
if [[ -z $veil ]]; then
    swift build -c release --product veil
    veil=.build/release/veil
fi
work=$(mktemp -d /tmp/veil-gwbench-XXXXXX)
orthanc=Scripts/testing/orthanc.sh
gateway_pid=""
cleanup() {
    [[ -n $gateway_pid ]] && kill -TERM "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
    for name in a b-gateway b-direct; do "$orthanc" stop "$work" "$name" || true; done
    rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{$1/($3-$2):8.1f}')"; }
count() { curl -s "http://127.0.0.1:$1/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])'; }

echo "corpus: $files slices of ${size}² in $senders parts ..." >&2
python3 Scripts/fixtures/make-benchmark-corpus.py "$work/corpus" --files "$files" --size "$size" >/dev/null
mapfile -t all < <(find "$work/corpus" -name '*.dcm' | sort)
for ((i = 0; i < ${#all[@]}; i++)); do
    part="$work/parts/$((i % senders + 1))"
    mkdir -p "$part"
    ln -s "${all[$i]}" "$part/$i.dcm"
done

gateway_port=$(port)
declare -A dicom http
for name in a b-gateway b-direct; do dicom[$name]=$(port); http[$name]=$(port); done
"$orthanc" start "$work" a ORTHANC_A "${dicom[a]}" "${http[a]}" modality "LOADER:1" modality "ARCHIVE_D:${dicom[b-direct]}"
"$orthanc" start "$work" b-gateway ARCHIVE_G "${dicom[b-gateway]}" "${http[b-gateway]}" modality "VEIL:$gateway_port"
"$orthanc" start "$work" b-direct ARCHIVE_D "${dicom[b-direct]}" "${http[b-direct]}" modality "ORTHANC_A:${dicom[a]}"

"$veil" keygen "$work/project.key" >/dev/null
sources=""
for ((k = 1; k <= senders; k++)); do sources+="${sources:+, }{aet: SENDER$k, hosts: [127.0.0.1/32]}"; done
cat >"$work/nodes.yaml" <<YAML
nodes:
  archive: {aet: ARCHIVE_G, host: 127.0.0.1, port: ${dicom[b-gateway]}, dimse_timeout: 600}
YAML
cat >"$work/gateway.yaml" <<YAML
spool: $work/spool
spool_volume_encrypted: true   # a benchmark in /tmp: nothing real in it
listen: {aet: VEIL, port: $gateway_port, acse_timeout: 120}
nodes: $work/nodes.yaml
routes:
  - called_aet: VEIL
    sources: [$sources]
    key_file: $work/project.key
    destinations: [archive]
study: {quiet_seconds: 1, max_wait: 1h}
min_free_mb: 64
YAML
"$veil" gateway run --config "$work/gateway.yaml" 2>"$work/gateway.log" &
gateway_pid=$!
for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$gateway_port") 2>/dev/null && break; sleep 0.1; done

echo "gateway: $senders senders at once ..." >&2
start=$(now)
for ((k = 1; k <= senders; k++)); do
    TCP_NODELAY=1 dcmsend -aet "SENDER$k" -aec VEIL 127.0.0.1 "$gateway_port" "$work/parts/$k" +sd -nuc \
        >"$work/sender$k.log" 2>&1 &
done
wait_senders=0
for job in $(jobs -p); do [[ $job == "$gateway_pid" ]] || wait "$job" || wait_senders=1; done
sent=$(now)
while [[ $(count "${http[b-gateway]}") -lt $files ]]; do
    sleep 0.2
    if [[ $(python3 -c "print(int($(now) - $sent > 600))") == 1 ]]; then echo "timed out" >&2; break; fi
done
end=$(now)
gateway_rate=$(rate "$files" "$start" "$end")
received_rate=$(rate "$files" "$start" "$sent")
got_gateway=$(count "${http[b-gateway]}")
[[ $wait_senders == 0 ]] || echo "a sender reported failures (see $work/sender*.log)" >&2

echo "loading A, then Orthanc A -> B directly ..." >&2
dcmsend -aet LOADER -aec ORTHANC_A 127.0.0.1 "${dicom[a]}" "$work/corpus" +sd +r -nuc >/dev/null 2>&1 || true
start=$(now)
curl -s -X POST "http://127.0.0.1:${http[a]}/modalities/ARCHIVE_D/store" \
    -d "{\"Resources\": $(curl -s "http://127.0.0.1:${http[a]}/studies"), \"Synchronous\": true}" >/dev/null
end=$(now)
direct_rate=$(rate "$files" "$start" "$end")
got_direct=$(count "${http[b-direct]}")

"$veil" gateway status --config "$work/gateway.yaml" | head -3 >&2
printf '%-60s %10s\n' "path ($files instances)" "inst/s"
printf '%-60s %10s\n' "$senders senders -> veil gateway (received, durable)" "$received_rate"
printf '%-60s %10s\n' "$senders senders -> veil gateway -> B (de-identified, end to end)" "$gateway_rate"
printf '%-60s %10s\n' "Orthanc A -> B directly (copy, no de-identification)" "$direct_rate"
echo "B via gateway holds $got_gateway of $files; B direct holds $got_direct of $files"
[[ $got_gateway == "$files" ]] || { echo "LOST: $((files - got_gateway)) instances" >&2; exit 1; }
