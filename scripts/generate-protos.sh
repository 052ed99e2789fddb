#!/usr/bin/env bash
# Regenerates Sources/Protocol/Generated from protos/ with Debian protoc and the
# protoc-gen-swift plugin built from our pinned swift-protobuf dependency (no
# SwiftPM build plugins: those compile protoc's C++ sources). The output is
# committed; run this only after editing a .proto file.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/Sources/Protocol/Generated"
SCRATCH="$ROOT/.build-plugins"
PROTOC=${PROTOC:-protoc}

command -v "$PROTOC" >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

# A separate scratch path keeps the plugin build out of the main .build.
swift build --scratch-path "$SCRATCH" --product protoc-gen-swift
PLUGIN="$SCRATCH/debug/protoc-gen-swift"
[ -x "$PLUGIN" ] || { echo "plugin not built at $PLUGIN" >&2; exit 1; }

# google/protobuf/{any,timestamp}.proto come with protoc; their Swift types live in SwiftProtobuf.
INCLUDES=(-I "$ROOT/protos")
for dir in /usr/include /usr/local/include; do
    [ -f "$dir/google/protobuf/any.proto" ] && INCLUDES+=(-I "$dir") && break
done

rm -rf "$OUT"
mkdir -p "$OUT"
mapfile -t PROTOS < <(cd "$ROOT/protos" && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

# PathToUnderscores: same-named files (params.proto, query.proto) live in
# several packages, and one Swift target cannot hold two files with one name.
"$PROTOC" "${INCLUDES[@]}" \
    --plugin=protoc-gen-swift="$PLUGIN" \
    --swift_out="$OUT" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=PathToUnderscores \
    "${PROTOS[@]}"

echo "generated $(ls "$OUT" | wc -l) files in ${OUT#$ROOT/}"
