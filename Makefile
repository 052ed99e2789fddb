# The two commands a fresh machine needs (run as root to let them install packages):
#   make demo   - the main job: the scenario suite in the simulator
#   make test   - the whole test suite (C tests with cmocka, then Swift Testing)
SWIFT ?= swift
# Golden vectors for `make test` and `make vectors`: any directory of the vector
# format (Tests/Fixtures/vectors/README.md) works, e.g. `make test VECTORS=/path`.
# Default: a sibling ../shared/vectors checkout if a developer has one (the
# upstream set the committed copy was taken from; nothing requires it), else
# the copy committed in Tests/Fixtures/vectors, which a fresh clone uses.
VECTORS ?= $(shell test -d ../shared/vectors && echo ../shared/vectors || echo Tests/Fixtures/vectors)

.PHONY: setup build test demo bench swarm vectors proto

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

test: setup
	$(SWIFT) build --build-tests
	./.build/debug/CmockaRunner 2>&1
	# One test at a time: the live suites start real processes (redis-server, chain serve, backend
	# serve, relayer) and hold real deadlines; run side by side on a 2-core machine they starve
	# each other into timeouts. Serial, the whole suite takes about 1.5 minutes.
	POCKET_VECTORS_DIR=$(VECTORS) $(SWIFT) test --disable-xctest --no-parallel

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
	./.build-release/release/pocket-relay-miner bench relayer

swarm: setup
	$(SWIFT) build -c release --scratch-path .build-release --product pocket-relay-miner
	./.build-release/release/pocket-relay-miner sim swarm --seeds 500

vectors: setup
	$(SWIFT) run pocket-relay-miner vectors --dir $(VECTORS)

proto:
	bash scripts/generate-protos.sh
