#!/bin/sh
# Makes the World-Tree image of runic_forge_tree.toml (disks/forge.img) from the Runic Forge corpus: the sources
# /programs/factorial.gw and /programs/error_syntax.gw (essence Scroll, one commit each at fixed times), so the same
# grovesim gives the same bytes every time (ctest scenarios.forge_disk_reproducible compares them with the shipped
# image).
#   scenarios/disks/make_forge_img.sh build/bin/grovesim scenarios/disks/forge.img
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 GROVESIM IMAGE" >&2
    exit 2
fi
grovesim=$1
image=$2
corpus=$(dirname "$0")/../../tests/forge/corpus
rm -f "$image"
"$grovesim" disk make "$image" --sectors 1024
"$grovesim" disk put "$image" /programs/factorial.gw "$corpus/factorial.gw" --creator forge --time 1000 \
    --essence Scroll -m "the factorial of 10"
"$grovesim" disk put "$image" /programs/error_syntax.gw "$corpus/error_syntax.gw" --creator forge --time 2000 \
    --essence Scroll -m "a source with errors"
