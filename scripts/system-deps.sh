#!/usr/bin/env bash
# Installs (as root, with apt) or names (otherwise) the system libraries Heartbeat Miles needs.
#   scripts/system-deps.sh            what the app needs: Pango (WeasyPrint), HarfBuzz's subsetter,
#                                     and Noto fonts for names in Greek, Cyrillic, Arabic, Hebrew,
#                                     Devanagari and CJK (the package's DejaVu prints Latin)
#   scripts/system-deps.sh --browser  also Chromium and its driver, for the browser tests
#   scripts/system-deps.sh --bench    also wrk, the HTTP load generator of the benchmarks
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core
  fonts-noto-core fonts-noto-cjk)
for option in "$@"; do
  case "$option" in
    --browser) packages+=(chromium chromium-driver) ;;
    --bench) packages+=(wrk) ;;
    *) echo "unknown option $option" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Heartbeat Miles needs these system libraries (Debian/Ubuntu names): ${missing[*]}" >&2
  echo "Install the equivalents with your system's package manager, then run make again." >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
