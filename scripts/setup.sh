#!/usr/bin/env bash
# One-time set-up on Debian 12 (idempotent, fast when already done): system packages for MPI, parallel
# HDF5 and OpenBLAS, Slurm and munge (with iproute2) for the local test cluster (scripts/slurm-local.sh),
# and a local Python environment (.venv) with the PDF set the physics needs.
# The Swift 6 toolchain itself must already be on PATH (swift.org toolchains are not in Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools libopenblas-dev python3 python3-venv
          slurm-wlm munge iproute2)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    # The Slurm and munge packages try to start their services, which is refused without systemd: harmless,
    # so the installer's chatter goes to a log that is shown only when the install fails.
    log=$(mktemp)
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"
        echo "setup: apt-get failed installing ${missing[*]}" >&2; exit 1
    fi
    rm -f "$log"
fi

command -v swift >/dev/null || { echo "setup: no 'swift' on PATH — install a Swift 6 toolchain first (swift.org)" >&2; exit 1; }

# The PDF set (NNPDF2.3 LO, LHAPDF id 247000) ships in the pythia8mc wheel; pinned: 8.318.0 has no
# Python 3.11 wheel and builds from source for ~35 minutes.
pdf=.venv/share/Pythia8/pdfdata/NNPDF23_lo_as_0130_qed_0000.dat
if [ ! -f "$pdf" ] || ! .venv/bin/python -c "import h5py, pylhe" 2>/dev/null; then
    echo "setup: creating .venv with pythia8mc==8.317.2 (PDF set, LHE reader for tests), h5py, numpy"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check "pythia8mc==8.317.2" h5py numpy pylhe
fi
[ -f "$pdf" ] || { echo "setup: PDF set missing after install: $pdf" >&2; exit 1; }
