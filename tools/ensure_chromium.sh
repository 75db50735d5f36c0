#!/usr/bin/env bash
# Installs Debian's chromium and a CJK font (HTML report tests; rendering scanned test pages),
# and the system libraries OpenCV needs for the OCR reader (libgl1, libglib2.0-0), when missing.
# Quiet and idempotent: does nothing when both are present or when not running as root.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || need+=(fonts-wqy-zenhei)
dpkg -s libgl1 >/dev/null 2>&1 || need+=(libgl1)
dpkg -s libglib2.0-0 >/dev/null 2>&1 || need+=(libglib2.0-0)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure_chromium: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-qq -o DPkg::Lock::Timeout=600)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get "${apt_opts[@]}" update && \
       apt-get "${apt_opts[@]}" install -y --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
