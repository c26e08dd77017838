# ovskit — the one Makefile. CI calls only these targets.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: all deps generate check-generated lint test test-peers bench mutation labs labs-qemu labs-ovn labs-variants labs-cleanup

all: lint test

deps:
	@./scripts/deps.sh

generate:
	$(GO) generate ./...

# Fails when regenerating the models would change them.
check-generated:
	$(GO) test ./ovsdb -run TestGeneratedModelsAreCurrent -count=1

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Every test, against real ovsdb-server and ovs-vswitchd (root needed for
# the ones with namespaces; CI=true turns a missing prerequisite into a
# failure instead of a skip). The ovsdb packages (the core: snapshots,
# concurrency, the linearizability suite; and the ovstest harness) run under
# the race detector twice: on the process backend, then with every server in
# containers (OVSKIT_HARNESS=container), each run with a Docker daemon
# (withdocker: the one at DOCKER_HOST, or a private dockerd in a network
# namespace of its own, stopped afterwards). The full log goes to .test.log;
# the console gets each package's result, the differential and
# linearizability summary lines, and the failures in full.
WITHDOCKER := $(GO) run ./internal/cmd/withdocker --
test: deps
	@set -o pipefail; { echo "harness: process backend"; \
		$(WITHDOCKER) $(GO) test -count=1 -timeout 15m -race -v ./ovsdb/...; core=$$?; \
		echo "harness: container backend (OVSKIT_HARNESS=container)"; \
		OVSKIT_HARNESS=container $(WITHDOCKER) $(GO) test -count=1 -timeout 15m -race -v ./ovsdb/...; ctr=$$?; \
		$(GO) test -count=1 -timeout 15m -v $$($(GO) list ./... | grep -v '/ovsdb$$' | grep -v '/ovsdb/'); rest=$$?; \
		[ $$core -eq 0 ] && [ $$ctr -eq 0 ] && [ $$rest -eq 0 ]; } 2>&1 | tee .test.log \
		| grep --line-buffered -E '^(ok|FAIL|panic:|differential( \(schema [0-9.]+\))?:|nbctl differential( \(schema [0-9.]+\))?:|openflow differential:|openflow ovs-ofctl.at|openflow ofp-actions.at|openflow real flows|linearizability:|cluster linearizability:|ovstest:|harness:|withdocker:|\?)' \
		|| { echo "--- failures (full log in .test.log) ---"; grep -B3 -A40 -E '^\s*--- FAIL|^panic:|DATA RACE' .test.log | head -400; exit 1; }

# Open vSwitch's own test suite (tests/ovs-ofctl.at and tests/ovs-vsctl.at
# of the installed version's source) and OVN's tests/ovn-nbctl.at
# (testdata/upstream) run with the C tool, then with ovskit in its place (a
# link named ovs-ofctl, ovs-vsctl or ovn-nbctl to the ovskit binary):
# a summary line per suite, and
# a failure for any group ovskit fails that is not listed in
# scripts/peers/<suite>.todo (or that passes and still is). Root is
# required (the suite's daemons).
test-peers: deps
	@./scripts/test-peers.sh

# Speed figures, with their references (raw JSON-RPC client, ovs-vsctl) in the
# same run; the recorded ones are in bench/RESULTS.md.
bench: deps
	$(GO) test ./bench/ -run '^$$' -bench 'SequentialAddPort$$' -benchtime 1000x
	$(GO) test ./bench/ -run '^$$' -bench 'SequentialAddPortPaired' -benchtime 16x
	$(GO) test ./bench/ -run '^$$' -bench 'OneTransaction' -benchtime 20x
	$(GO) test ./bench/ -run '^$$' -bench 'Growth' -benchtime 1x -count 2
	$(GO) test ./bench/ -run '^$$' -bench 'ConcurrentAddPort' -benchtime 3000x -count 2
	$(GO) test ./bench/ -run '^$$' -bench '^Benchmark(Update|ConcurrentChurn)$$' -benchtime 1000x
	$(GO) test ./ovsdb/ -run '^$$' -bench 'FindByKey'
	$(GO) test ./ovsdb/ -run '^$$' -bench 'FindBy$$' -benchtime 200x
	OVSKIT_BENCH_SB_SIZES=25000,100000 $(GO) test ./bench/ -run '^$$' -bench 'FirstSync' -benchtime 3x -timeout 60m
	OVSKIT_BENCH_CHASSIS=1000 $(GO) test ./bench/ -run '^$$' -bench 'Chassis' -benchtime 1x -timeout 60m
	$(GO) test ./bench/ -run '^$$' -bench 'Resume' -benchtime 10x
	$(GO) test ./bench/ -run '^$$' -bench 'LSPAdd$$' -benchtime 1000x
	$(GO) test ./bench/ -run '^$$' -bench 'LSPAddGrowth' -benchtime 1x
	$(GO) test ./bench/ -run '^$$' -bench 'FlowInstall|FlowDump|ReplaceFlows' -benchtime 5x
	$(GO) test ./examples/labs/ -run '^$$' -bench 'OVNScale' -benchtime 1x -timeout 30m

# Mutation testing of the core (go-gremlins): which changes to the ovsdb
# package's code no test notices. Not part of `make test`: each mutant
# recompiles and runs the package's tests (about 10 s), so it takes over an hour on
# 2 cores; run it on an otherwise idle machine (a loaded one times mutants
# out). Fails below 90 % efficacy. With CI=true, as in CI: a mutant that
# makes the harness think a prerequisite is missing fails the tests instead
# of skipping them (session 6's run, without it, let such mutants live);
# so the harness's container tests get a Docker daemon (withdocker). The
# package's tests are mostly waiting on servers: -parallel=8 runs them side
# by side (about 9 s a run instead of 20).
GREMLINS := github.com/go-gremlins/gremlins/cmd/gremlins@v0.5.0
mutation: deps
	$(WITHDOCKER) env CI=true GOFLAGS=-parallel=8 $(GO) run $(GREMLINS) unleash --workers 2 --timeout-coefficient 6 --threshold-efficacy 90 -o .mutation.json ./ovsdb

# The six labs of the tutorial (../shared/LABS.md), each built from nothing
# in namespaces with private Open vSwitch instances, checked with real
# packets and torn down; a report per lab and a summary. Root is required.
# LABS_FLAGS=-keep leaves the last lab up; `make labs-cleanup` removes it.
labs: deps
	@if [ "$$(id -u)" -ne 0 ]; then echo "labs: root is required (network namespaces, ovs-vswitchd): run 'sudo make labs'" >&2; exit 1; fi
	$(GO) run ./examples/all $(LABS_FLAGS)

# The labs with real VMs, as the tutorial runs them: each guest is qemu
# (TCG) booting the project's image (Debian's cloud kernel and a busybox
# initramfs, built and cached in /var/cache/ovskit/qemu), on a tap device
# that the tutorial's if-up script attaches with `ovskit add-port`; every
# probe runs inside a VM. Reports the boot time of each VM.
labs-qemu: deps
	@if [ "$$(id -u)" -ne 0 ]; then echo "labs-qemu: root is required (network namespaces, taps, ovs-vswitchd): run 'sudo make labs-qemu'" >&2; exit 1; fi
	$(GO) run ./examples/all -guests=qemu $(LABS_FLAGS)

# The tutorial's multi-host labs (4, 5, 6) on OVN: a central (a 3-member
# Northbound cluster, Southbound, ovn-northd) and chassis running
# ovn-controller, Geneve between them, OVN's DHCP, ACLs, a logical router
# with SNAT and a floating IP, and a Northbound leader killed under traffic.
labs-ovn: deps
	@if [ "$$(id -u)" -ne 0 ]; then echo "labs-ovn: root is required (network namespaces, ovs-vswitchd): run 'sudo make labs-ovn'" >&2; exit 1; fi
	$(GO) run ./examples/ovn $(LABS_FLAGS)

# The labs beyond the tutorial: patch ports, dnsmasq, VXLAN, Geneve, a VLAN trunk.
labs-variants: deps
	@if [ "$$(id -u)" -ne 0 ]; then echo "labs: root is required (network namespaces, ovs-vswitchd): run 'sudo make labs-variants'" >&2; exit 1; fi
	$(GO) run ./examples/variants $(LABS_FLAGS)

labs-cleanup:
	$(GO) run ./examples/all cleanup
