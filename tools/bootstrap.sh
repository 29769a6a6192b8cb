#!/usr/bin/env bash
# Installs every Debian package the project needs, and only what is missing.
# Idempotent: when everything is present it reads the dpkg database and exits in well under a second.
set -euo pipefail

packages=(
  g++ cmake ninja-build make
  libgtest-dev libgmock-dev libbenchmark-dev
  libunicorn-dev libcapstone-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  qemu-system-x86 grub-pc-bin grub-common xorriso mtools
  clang-14 libclang-rt-14-dev clang-format clang-tidy
  gdb
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "bootstrap: missing packages: ${missing[*]}" >&2
  echo "bootstrap: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "bootstrap: done"
