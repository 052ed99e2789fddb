# The two commands a fresh machine needs (run as root to let them install packages):
#   make demo   - the main job: the scenario suite in the simulator
#   make test   - the whole test suite (C tests with cmocka, then Swift Testing)
SWIFT ?= swift
# The shared golden vectors when present, else the copy committed with the tests.
VECTORS ?= $(shell test -d ../shared/vectors && echo ../shared/vectors || echo Tests/Fixtures/vectors)

.PHONY: setup build test demo bench swarm vectors proto

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

test: setup
	$(SWIFT) build --build-tests
	./.build/debug/CmockaRunner 2>&1
	POCKET_VECTORS_DIR=$(VECTORS) $(SWIFT) test --disable-xctest

demo: setup
	$(SWIFT) build --product pocket-relay-miner
	./.build/debug/pocket-relay-miner sim run scenarios

bench: setup
	$(SWIFT) build -c release --scratch-path .build-release --product pocket-relay-miner
	./.build-release/release/pocket-relay-miner bench protocol
	./.build-release/release/pocket-relay-miner bench redis-model
	./.build-release/release/pocket-relay-miner bench redis
	./.build-release/release/pocket-relay-miner bench miner-rebuild
	./.build-release/release/pocket-relay-miner bench sim

swarm: setup
	$(SWIFT) build -c release --scratch-path .build-release --product pocket-relay-miner
	./.build-release/release/pocket-relay-miner sim swarm --seeds 500

vectors: setup
	$(SWIFT) run pocket-relay-miner vectors --dir $(VECTORS)

proto:
	bash scripts/generate-protos.sh
