#!/usr/bin/env bash
# Jianzhi's township plan beside max-p, SKATER, REDCAP (pygeoda) and p-median (spopt) on the
# demo's township layer, measured the same way in one run (see peers.py for the measures).
#
#   bash benches/peers/run.sh [SCENARIO]     # default: thresholds-only
#
# Creates a Python virtual environment in target/peers-venv (python3-venv from apt where it
# is missing), installs the pinned peers from PyPI, builds the release CLI, runs Jianzhi's
# scenario five times (median of its own timings), then every peer once. Writes the table to
# target/peers/table.md. About 6.5 minutes on 2 cores, most of it p-median's ILPs and the install.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="${1:-thresholds-only}"
venv=target/peers-venv
work=target/peers

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r benches/peers/requirements.txt

cargo build --release --quiet --bin jianzhi
mkdir -p "$work"
# The built-in demo, as files the peers can read.
data=data/sichuan

townships=()
scenarios=()
for _ in 1 2 3 4 5; do
    line=$(target/release/jianzhi run --scenario "$scenario" --data "$data" --out "$work/jianzhi" --timing | grep '^timing:')
    scenarios+=("$(sed -E 's/.*scenario with every figure ([0-9.]+) ms.*/\1/' <<<"$line")")
    townships+=("$(sed -E 's/.*the township plan alone, [0-9]+ units, ([0-9.]+) ms.*/\1/' <<<"$line")")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }

"$venv/bin/python" benches/peers/peers.py "$data" "$work/jianzhi" \
    "$(median "${townships[@]}")" "$(median "${scenarios[@]}")" --out "$work/table.md"
