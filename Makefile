# SPDX-License-Identifier: GPL-2.0
# pidfd_open: out-of-tree Rust kernel module, its selftests and the QEMU guest.
# `make help` lists the targets.

# The rustc of rust-toolchain.toml, also for builds that run in KDIR. A kernel
# built with another rustc needs that one: RUSTUP_TOOLCHAIN=<its version>.
RUSTUP_TOOLCHAIN ?= $(shell sed -n 's/^channel = "\(.*\)"$$/\1/p' rust-toolchain.toml)
export RUSTUP_TOOLCHAIN

# The project's test kernel, once scripts/build-kernel has built it.
TEST_KDIR := $(shell scripts/build-kernel --print-dir)
ifneq ($(wildcard $(TEST_KDIR)/Module.symvers),)
KDIR ?= $(TEST_KDIR)
else
KDIR ?= /lib/modules/$(shell uname -r)/build
endif

# A kernel tree that scripts/build-kernel prepared says how to build for it
# (the stock kernel: gcc, and Debian's rustc version string).
-include $(KDIR)/pidfd_open.mk
LLVM ?= -19
export LLVM

# Kbuild's output goes to MO, not the source tree, so that modules for several
# kernels (qemu/run builds one per kernel flavour) can sit side by side.
MO ?= build/module
KBUILD := $(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(abspath $(MO)) LLVM=$(LLVM)
RUST_SOURCES := $(wildcard rust/*.rs)
# The kernel's rustfmt settings (O= builds link the source tree as source/).
RUSTFMT_CONFIG = $(firstword $(wildcard $(KDIR)/source/.rustfmt.toml $(KDIR)/.rustfmt.toml))

# Programs for the guest, static: the selftests (on the kernel's own harness,
# included from the kernel source, not copied) and the demo.
KSELFTEST_DIR = $(shell scripts/build-kernel --print-src)/tools/testing/selftests
GUEST_CFLAGS := -static -O2 -g -Wall -Wextra -Wno-sign-compare -Werror -D_GNU_SOURCE -Iinclude/uapi -Itests
GUEST_HEADERS := $(wildcard tests/*.h) include/uapi/linux/pidfd_open.h
# The selftests, built and installed as a kselftest suite (tests/Makefile on
# the kernel's lib.mk): build/kselftest/run_kselftest.sh runs them.
KSELFTEST_INSTALL := build/kselftest
EXAMPLE_BINARIES := $(patsubst examples/%.c,build/guest/%,$(wildcard examples/*.c))
BENCH_BINARIES := $(patsubst bench/%.c,build/guest/%,$(wildcard bench/*.c))

.PHONY: all modules oops-module install install-stock deb help rust-analyzer format lint check check-fresh check-debian run bench profile kernel setup tests crate-tests guest-programs clean kdir-check

all: modules

help:
	@echo 'Targets:'
	@echo '  all, modules   build $(MO)/rust/pidfd_open.ko against KDIR (now: $(KDIR))'
	@echo '  install        install the module (modules_install, depmod) and the udev rule (root)'
	@echo '  install-stock  build for Debian'"'"'s stock kernel (scripts/stock-kernel) and install (root)'
	@echo '  deb            Debian packages for the stock kernels in build/deb/, checked (scripts/build-deb;'
	@echo '                 SIGN_KEY=key.pem SIGN_CERT=cert.x509 signs the modules)'
	@echo '  run            boot the test kernel in QEMU with the module loaded and show it working'
	@echo '  bench          benchmark against native pidfds and the /proc idioms; writes bench.json'
	@echo '                 (KERNEL=stock: on Debian'"'"'s kernel, bench-stock.json; BOOTS=N real-time boots, default 3)'
	@echo '  profile        where the guest kernel spends a bench operation'"'"'s time (OPS="open get_info";'
	@echo '                 TRACE=1: exact instructions per function of a few calls, module against baseline)'
	@echo '  check          build everything and run every selftest in QEMU; ends "N passed, M failed"'
	@echo '  check-fresh    setup, every kernel, make run and make check from an empty cache, each timed'
	@echo '                 (45 to 70 minutes on 2 cores, 5 kernels; run it when a script that fills the cache changes)'
	@echo '  check-debian   make deb, then install, use and purge the packages on a real Debian trixie'
	@echo '                 guest (systemd) on each stock kernel; ends "N passed, M failed"'
	@echo '  tests          build the selftests and install them as a kselftest suite in $(KSELFTEST_INSTALL)/'
	@echo '  kernel         build the test kernel (one-time, 8 to 13 minutes)'
	@echo '  setup          install the toolchain and kernel source (Debian 12, root)'
	@echo '  lint           rustfmt and a CLIPPY=1 build of the module, cargo fmt and clippy of the crate,'
	@echo '                 its MSRV, minimum dependency versions, rustdoc and cargo package'
	@echo '                 (userspace/check-versions); warnings are errors'
	@echo '  format         rustfmt the module sources with the kernel'"'"'s settings'
	@echo '  rust-analyzer  write rust-project.json for editors'
	@echo '  clean          remove build output'
	@echo 'Variables: KDIR=<kernel build dir> (default: the test kernel, else the running'
	@echo '           kernel'"'"'s build dir), LLVM=-19 (or LLVM=1 for an unsuffixed toolchain)'

kdir-check:
	@test -f $(KDIR)/Module.symvers || { \
		echo "error: no kernel build at KDIR=$(KDIR)" >&2; \
		echo "       run 'make kernel' to build the project's test kernel, or pass KDIR=<your kernel build>" >&2; \
		exit 1; }

modules: kdir-check
	$(KBUILD) $(KBUILD_ARGS) modules

# Test-only: a module that Oopses on load, for qemu/runner-test. Never installed.
oops-module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR)/qemu/oops MO=$(abspath $(MO))/oops LLVM=$(LLVM) modules

# modules_install puts the module in /lib/modules/<release>/updates/; depmod
# makes modprobe find it.
install: modules
	$(KBUILD) modules_install
	depmod -a $$(cat $(KDIR)/include/config/kernel.release)
	install -D -m 0644 udev/60-pidfd_open.rules $(DESTDIR)/etc/udev/rules.d/60-pidfd_open.rules
	@if command -v udevadm >/dev/null; then udevadm control --reload; fi

# For a Debian machine running a stock kernel: prepare the module tree for
# that kernel's flavour (scripts/stock-kernel), build against it and install.
# STOCK=stock|stock-cloud|stock-rt picks the flavour; by default, the running
# kernel's, else amd64's (stock).
STOCK ?= $(shell bash -c 'source scripts/lib.sh && stock_kernel_of "$$(uname -r)" || echo stock')
install-stock:
	@release=$$(bash -c 'source scripts/lib.sh && stock_release $(STOCK)') || \
		{ echo "error: STOCK=$(STOCK) is not a stock kernel (stock, stock-cloud, stock-rt)" >&2; exit 1; }; \
	[ "$$(uname -r)" = "$$release" ] || \
		echo "warning: this machine runs $$(uname -r), not $$release: the module will not load until it boots $$release" >&2
	$(MAKE) KDIR=$$(scripts/build-kernel $(STOCK)) MO=build/module-$(STOCK) install

# Debian packages: the module for each stock kernel, and the common files.
deb:
	scripts/build-deb

rust-analyzer: kdir-check
	$(KBUILD) rust-analyzer
	cp $(MO)/rust-project.json rust-project.json

format:
	rustfmt --edition 2021 $(addprefix --config-path ,$(RUSTFMT_CONFIG)) $(RUST_SOURCES)

# Clippy only sees what it compiles, so lint builds the crate afresh, apart.
lint: kdir-check
	rustfmt --check --edition 2021 $(addprefix --config-path ,$(RUSTFMT_CONFIG)) $(RUST_SOURCES)
	rm -rf build/lint
	$(MAKE) MO=build/lint KBUILD_ARGS='CLIPPY=1 KRUSTFLAGS=-Dwarnings' modules
	cd userspace && cargo fmt --check && cargo clippy --locked --all-targets --all-features -- -D warnings
	userspace/check-versions

setup:
	scripts/setup

kernel:
	scripts/build-kernel test >/dev/null

# Static, for the guest, which has no libc; warnings are errors here.
tests:
	$(MAKE) -C tests install LLVM= KSELFTEST_DIR=$(KSELFTEST_DIR) OUTPUT=$(CURDIR)/build/kselftest-obj \
		INSTALL_PATH=$(CURDIR)/$(KSELFTEST_INSTALL) LDFLAGS=-static EXTRA_CFLAGS=-Werror

# The Rust crate's tests, static, with the script that runs them in the guest.
crate-tests:
	userspace/build-guest-tests build/crate

guest-programs: tests crate-tests $(EXAMPLE_BINARIES) $(BENCH_BINARIES) build/guest/run-tests

build/guest/%: examples/%.c $(GUEST_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

build/guest/%: bench/%.c $(GUEST_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $< -lm

build/guest/run-tests: tests/run-tests
	@mkdir -p $(@D)
	install -m 0755 $< $@

run:
	qemu/run

# Guest runs: one on the instruction clock (the per-operation and memory rows,
# the same in every run), then BOOTS in real time: the first also measures
# scaling. A boot's real-time ratios depend on where it placed the module and
# the objects an operation touches (TCG's software TLB, bench/README.md), so the
# report takes each ratio's median over the boots. It writes bench.json in the
# project root; KERNEL=stock benchmarks Debian's kernel (bench-stock.json).
KERNEL ?= test
BOOTS ?= 3
BENCH_JSON := $(if $(filter test,$(KERNEL)),bench.json,bench-$(KERNEL).json)
BENCH_DIR := build/bench/$(KERNEL)
bench:
	@[ "$(BOOTS)" -ge 1 ] 2>/dev/null || { echo 'error: BOOTS=$(BOOTS): needs a number of real-time boots, 1 or more' >&2; exit 2; }
	rm -rf $(BENCH_DIR)
	@echo '==> benchmark on the $(KERNEL) kernel, 1 of $(BOOTS)+1 boots: instruction clock (qemu/run --icount), about 2 minutes'
	qemu/run --kernel $(KERNEL) --icount --out $(BENCH_DIR)/instructions -- pidfd_bench -c instructions
	@echo '==> benchmark on the $(KERNEL) kernel, 2 of $(BOOTS)+1 boots: real time with scaling, about 3 minutes'
	qemu/run --kernel $(KERNEL) --out $(BENCH_DIR)/time-1 -- pidfd_bench
	@for boot in $$(seq 2 $(BOOTS)); do \
		echo "==> benchmark on the $(KERNEL) kernel, $$((boot + 1)) of $(BOOTS)+1 boots: real time, the per-operation rows, about 1 minute"; \
		qemu/run --kernel $(KERNEL) --out $(BENCH_DIR)/time-$$boot -- pidfd_bench -O all || exit; \
	done
	scripts/bench-report $(BENCH_DIR)/instructions/bench.json $(BENCH_JSON) $(BENCH_DIR)/time-*/bench.json

# Samples the guest through QEMU's gdbstub while pidfd_bench -p runs each OP;
# TRACE=1 counts the instructions of a few calls per function instead.
OPS ?= open get_info
profile:
	scripts/profile $(if $(TRACE),--trace) $(OPS)

check:
	scripts/check

check-fresh:
	scripts/check-fresh $(FRESH_CACHE)

check-debian:
	scripts/check-debian

clean:
	rm -rf build rust-project.json
