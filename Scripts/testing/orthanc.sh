#!/usr/bin/env bash
# Starts and stops Orthanc test servers for the network tests: loopback ports only, configs
# generated into a test folder, stopped by the PIDs this script recorded (never by name).
#
#   Scripts/testing/orthanc.sh start FOLDER NAME AET DICOM_PORT HTTP_PORT [modality AET:PORT]... [--tls CERT KEY CA]
#   Scripts/testing/orthanc.sh stop FOLDER NAME
#
# `start` writes FOLDER/NAME/orthanc.json, starts /usr/sbin/Orthanc with TCP_NODELAY=1 (DCMTK
# leaves Nagle on without it), waits until GET /system answers, and writes FOLDER/NAME/pid.
# Each `modality AET:PORT` is a DICOM modality on 127.0.0.1 Orthanc accepts and can send to
# (C-MOVE destinations); an AE not listed is rejected. The DICOMweb plugin is loaded.
set -euo pipefail

command=$1 folder=$2 name=$3
dir="$folder/$name"

if [[ $command == stop ]]; then
    [[ -f "$dir/pid" ]] || exit 0
    pid=$(cat "$dir/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    exit 0
fi

aet=$4 dicom_port=$5 http_port=$6
shift 6
modalities="" tls=""
while [[ $# -gt 0 ]]; do
    case $1 in
    modality)
        modality_aet=${2%%:*} modality_port=${2##*:}
        modalities+="${modalities:+,}\"$modality_aet\": {\"AET\": \"$modality_aet\", \"Host\": \"127.0.0.1\", \"Port\": $modality_port}"
        shift 2
        ;;
    --tls)
        tls="\"DicomTlsEnabled\": true, \"DicomTlsCertificate\": \"$2\", \"DicomTlsPrivateKey\": \"$3\",
             \"DicomTlsTrustedCertificates\": \"$4\", \"DicomTlsRemoteCertificateRequired\": true,"
        shift 4
        ;;
    *) echo "orthanc.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

mkdir -p "$dir/storage"
plugin=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
cat >"$dir/orthanc.json" <<JSON
{
  "Name": "$aet", "StorageDirectory": "$dir/storage", "IndexDirectory": "$dir/storage",
  "HttpPort": $http_port, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomAet": "$aet", "DicomPort": $dicom_port, "DicomCheckCalledAet": true,
  "DicomAlwaysAllowStore": false, "DicomAlwaysAllowEcho": false, "DicomCheckModalityHost": true,
  "DicomModalities": { $modalities },
  "TcpNoDelay": true, "SynchronousCMove": true, "StableAge": 2, "SaveJobs": false,
  $tls
  "DicomWeb": {"Enable": true, "Root": "/dicom-web/"},
  "Plugins": ["$plugin"]
}
JSON
# Orthanc must not hold the caller's pipes open (a test reading this script's output would
# wait for it to exit): close every descriptor above stderr before starting it.
for fd in $(ls /proc/$$/fd); do
    [[ $fd -gt 2 ]] && eval "exec $fd>&-" 2>/dev/null || true
done
env TCP_NODELAY=1 /usr/sbin/Orthanc "$dir/orthanc.json" </dev/null >"$dir/orthanc.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$http_port/system" >/dev/null 2>&1; then exit 0; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "orthanc.sh: $name did not start:" >&2; tail -5 "$dir/orthanc.log" >&2; exit 1; }
    sleep 0.1
done
echo "orthanc.sh: $name did not answer on port $http_port" >&2
exit 1
