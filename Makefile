# The two commands a fresh machine needs (run as root to let them install packages):
#   make demo   - the main job
#   make test   - the whole test suite (C tests with cmocka, then Swift Testing)
SWIFT ?= swift
VECTORS ?= ../shared/vectors

.PHONY: setup build test demo bench vectors proto

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

test: setup
	$(SWIFT) build --build-tests
	./.build/debug/CmockaRunner 2>&1
	POCKET_VECTORS_DIR=$(VECTORS) $(SWIFT) test --disable-xctest

demo: setup
	$(SWIFT) build -c release --product pocket-relay-miner
	./.build/release/pocket-relay-miner vectors --dir $(VECTORS)

bench: setup
	$(SWIFT) build -c release --product pocket-relay-miner
	./.build/release/pocket-relay-miner bench

vectors: setup
	$(SWIFT) run pocket-relay-miner vectors --dir $(VECTORS)

proto:
	bash scripts/generate-protos.sh
