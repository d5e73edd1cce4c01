#!/usr/bin/env bash
# Checks the systemd units in this directory:
#   1. `systemd-analyze verify` prints nothing for llm-workload.service, the
#      template llm-workload@.service and its instance llm-workload@0-3.service;
#   2. `systemd-analyze security --offline=true` rates both units' overall
#      exposure OK or SAFE.
# verify checks that ExecStart's binary exists, so the units are verified in a
# scratch root (--root) holding a stub /usr/local/bin/llm-workload and a copy of
# the host's system units (for targets like sysinit.target).
# Exit status: 0 pass, 1 a check failed, 2 systemd-analyze is not installed
# (Debian: apt-get install systemd).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "verify.sh: systemd-analyze not found (apt-get install systemd)" >&2
    exit 2
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
printf '#!/bin/sh\nexit 0\n' > "$root/usr/local/bin/llm-workload"
chmod 755 "$root/usr/local/bin/llm-workload"
for dir in /usr/lib/systemd/system /lib/systemd/system; do
    if [ -d "$dir" ]; then
        cp -a "$dir" "$root/usr/lib/systemd/" && break
    fi
done
cp "$here"/llm-workload.service "$here"/llm-workload@.service "$root/etc/systemd/system/"

status=0

verify() {
    local output rc
    output="$(systemd-analyze verify --man=no --root="$root" "$@" 2>&1)"
    rc=$?
    if [ $rc -ne 0 ] || [ -n "$output" ]; then
        echo "FAIL verify $* (exit $rc):"
        echo "$output"
        status=1
    else
        echo "ok   verify $*"
    fi
}

security() {
    local unit="$1" output level
    output="$(systemd-analyze security --no-pager --offline=true --root="$root" "$unit" 2>&1)"
    level="$(printf '%s\n' "$output" | grep -o 'Overall exposure level for .*' | head -n 1)"
    case "$level" in
        *": "[0-9]*" SAFE"* | *": "[0-9]*" OK"*)
            echo "ok   security $level"
            ;;
        *)
            echo "FAIL security $unit: ${level:-no overall rating}"
            printf '%s\n' "$output" | grep -E '✗' || printf '%s\n' "$output"
            status=1
            ;;
    esac
}

verify "$root/etc/systemd/system/llm-workload.service"
verify "$root/etc/systemd/system/llm-workload@.service"
verify llm-workload@0-3.service
security llm-workload.service
security llm-workload@0-3.service
exit $status
