#!/usr/bin/env bash
# The peers the documents bench compares ohgov's PDF builder with (issue 14): WeasyPrint, from
# PyPI into a virtual environment under /var/tmp (CISO Assistant renders its PDFs with it), and
# Debian's headless Chromium (others print HTML through a browser). `cargo bench --bench documents`
# finds them where this script puts them, or skips each one missing with a notice.
#
#   benches/peers.sh            install both (needs apt and network)
#   benches/peers.sh check      say which are installed, and their versions
set -euo pipefail

VENV="${OHGOV_WEASYPRINT_VENV:-/var/tmp/ohgov-weasyprint}"

check() {
  if [ -x "$VENV/bin/weasyprint" ]; then
    echo "weasyprint: $("$VENV/bin/weasyprint" --version)"
  else
    echo "weasyprint: not installed (run benches/peers.sh)"
  fi
  if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
  else
    echo "chromium: not installed (run benches/peers.sh)"
  fi
}

if [ "${1:-}" = "check" ]; then
  check
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# WeasyPrint draws with Pango (and HarfBuzz, through it); Debian's libraries, not wheels.
apt_get() { apt-get install -y -q "$@" || { apt-get update -q && apt-get install -y -q "$@"; }; }
apt_get libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 python3-venv fonts-dejavu-core
if [ ! -x /usr/bin/chromium ]; then
  apt_get chromium
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q weasyprint
check
