#!/usr/bin/env bash
# Debian packages Sanad uses: the FreeDict dictionaries (cross-lingual retrieval), Chromium and its
# driver (browser tests), an Arabic font (the web chat). Installed only where apt is available and
# we are root; elsewhere Sanad still runs (monolingually without the dictionaries) and says so.
set -euo pipefail
pkgs=(dict-freedict-eng-ara dict-freedict-ara-eng chromium chromium-driver fonts-noto-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install ${missing[*]} yourself (or set SANAD_LEXICON_DIR)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: not root; install ${missing[*]} yourself" >&2; exit 0; fi
fi
echo "system-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
