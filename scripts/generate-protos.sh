#!/usr/bin/env bash
# Regenerates the committed Swift code from protos/ with Debian protoc and two
# plugins built from our pinned dependencies (no SwiftPM build plugins: those
# compile protoc's C++ sources):
#   - protoc-gen-swift (swift-protobuf): every message, into
#     Sources/Protocol/Generated (target PocketProtocol, no gRPC);
#   - protoc-gen-grpc-swift-2 (grpc-swift-protobuf): client and server stubs
#     of every file that declares a `service`, into Sources/ChainAPI/Generated
#     (target PocketChainAPI, which imports the messages from PocketProtocol;
#     see ExtraModuleImports below);
#   - protos/demo/ (the demo backend's own service, not a chain message):
#     messages and stubs together into Sources/Tooling/DemoBackend/Generated
#     (target DemoBackend).
# The output is committed; run this only after editing a .proto file.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/Sources/Protocol/Generated"
GRPC_OUT="$ROOT/Sources/ChainAPI/Generated"
DEMO_OUT="$ROOT/Sources/Tooling/DemoBackend/Generated"
SCRATCH="$ROOT/.build-plugins"
PROTOC=${PROTOC:-protoc}

command -v "$PROTOC" >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

# A separate scratch path keeps the plugin builds out of the main .build.
swift build --scratch-path "$SCRATCH" --product protoc-gen-swift
swift build --scratch-path "$SCRATCH" --product protoc-gen-grpc-swift-2
PLUGIN="$SCRATCH/debug/protoc-gen-swift"
GRPC_PLUGIN="$SCRATCH/debug/protoc-gen-grpc-swift-2"
for p in "$PLUGIN" "$GRPC_PLUGIN"; do
    [ -x "$p" ] || { echo "plugin not built at $p" >&2; exit 1; }
done

# google/protobuf/{any,timestamp}.proto come with protoc; their Swift types live in SwiftProtobuf.
INCLUDES=(-I "$ROOT/protos")
for dir in /usr/include /usr/local/include; do
    [ -f "$dir/google/protobuf/any.proto" ] && INCLUDES+=(-I "$dir") && break
done

# protos/demo/ is left out of the chain's targets (generated on its own below).
mapfile -t PROTOS < <(cd "$ROOT/protos" && find . -name '*.proto' -not -path './demo/*' | sed 's|^\./||' | LC_ALL=C sort)
mapfile -t DEMO_PROTOS < <(cd "$ROOT/protos" && find demo -name '*.proto' | LC_ALL=C sort)
mapfile -t SERVICE_PROTOS < <(cd "$ROOT/protos" && grep -l '^service ' "${PROTOS[@]}")

# PathToUnderscores: same-named files (params.proto, query.proto) live in
# several packages, and one Swift target cannot hold two files with one name.
rm -rf "$OUT"
mkdir -p "$OUT"
"$PROTOC" "${INCLUDES[@]}" \
    --plugin=protoc-gen-swift="$PLUGIN" \
    --swift_out="$OUT" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=PathToUnderscores \
    "${PROTOS[@]}"

# The gRPC stubs live in another module than the messages they use, so every
# stub file must `import PocketProtocol`. The plugin's ProtoPathModuleMappings
# option cannot express that: it imports the modules of a file's *imports*
# and drops the module of the file itself (it assumes stubs and messages
# share a module), so a query.proto whose request types are its own would
# get no import. ExtraModuleImports adds the import to every stub file.
rm -rf "$GRPC_OUT"
mkdir -p "$GRPC_OUT"
# The plugin is named protoc-gen-grpc-swift-2 but answers to --grpc-swift_*.
"$PROTOC" "${INCLUDES[@]}" \
    --plugin=protoc-gen-grpc-swift="$GRPC_PLUGIN" \
    --grpc-swift_out="$GRPC_OUT" \
    --grpc-swift_opt=Visibility=Public \
    --grpc-swift_opt=Server=true \
    --grpc-swift_opt=Client=true \
    --grpc-swift_opt=FileNaming=PathToUnderscores \
    --grpc-swift_opt=ExtraModuleImports=PocketProtocol \
    "${SERVICE_PROTOS[@]}"

# The demo backend's service: messages and stubs in one module, public so
# tests and tools can build requests and call it with the generated client.
rm -rf "$DEMO_OUT"
mkdir -p "$DEMO_OUT"
"$PROTOC" "${INCLUDES[@]}" \
    --plugin=protoc-gen-swift="$PLUGIN" \
    --swift_out="$DEMO_OUT" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=PathToUnderscores \
    "${DEMO_PROTOS[@]}"
"$PROTOC" "${INCLUDES[@]}" \
    --plugin=protoc-gen-grpc-swift="$GRPC_PLUGIN" \
    --grpc-swift_out="$DEMO_OUT" \
    --grpc-swift_opt=Visibility=Public \
    --grpc-swift_opt=Server=true \
    --grpc-swift_opt=Client=true \
    --grpc-swift_opt=FileNaming=PathToUnderscores \
    "${DEMO_PROTOS[@]}"

echo "generated $(ls "$OUT" | wc -l) message files in ${OUT#$ROOT/}"
echo "generated $(ls "$GRPC_OUT" | wc -l) service files in ${GRPC_OUT#$ROOT/}"
echo "generated $(ls "$DEMO_OUT" | wc -l) demo backend files in ${DEMO_OUT#$ROOT/}"
