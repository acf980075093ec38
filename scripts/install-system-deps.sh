#!/usr/bin/env bash
# Installs the Debian packages the tests need: Chromium for the end-to-end tests
# (Playwright drives /usr/bin/chromium and never downloads a browser of its own).
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || packages+=(fonts-noto-color-emoji)
dpkg -s fonts-liberation >/dev/null 2>&1 || packages+=(fonts-liberation)
# Chinese and Japanese glyphs (names in any script show as text, not boxes, in screenshots)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || packages+=(fonts-wqy-zenhei)

[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "make test needs these Debian packages: ${packages[*]} (run: sudo apt-get install -y ${packages[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
/usr/bin/chromium --version
