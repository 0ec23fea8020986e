# Shared helpers for the scripts in this directory. Source it; do not run it.

# Where the kernel source, test kernels and guest images live. Outside the
# repository so that a fresh clone reuses them.
PIDFD_OPEN_CACHE=${PIDFD_OPEN_CACHE:-$HOME/.cache/pidfd_open}
# The Debian package that carries the kernel source, and the version we test.
KERNEL_SOURCE_PKG=linux-source-7.3
KERNEL_SOURCE_VERSION=7.3.4
# Debian's stock kernel of that version (package linux-binary-$STOCK_RELEASE,
# from trixie-backports), and the rustc it was built with (its .config's
# CONFIG_RUSTC_VERSION_TEXT without "rustc "): scripts/stock-kernel.
STOCK_RELEASE=7.3.4+deb13-amd64
STOCK_VERSION=7.3.4-1~bpo13+1
STOCK_RUSTC_VERSION="1.85.1 (4eb161250 2025-03-15) (built from a source tarball)"
# Toolchain for kernel and module; kbuild takes the suffix as LLVM=-19.
LLVM=${LLVM:--19}
# Debian built its 7.3.4 kernel with bindgen 0.71.1; generated code differs
# between bindgen versions, so every kernel here uses the same one.
BINDGEN_VERSION=0.71.1
# bindgen loads libclang at run time; use the one that matches clang-19.
if [ "$LLVM" = -19 ]; then
	export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}
fi

# The repository root, whichever script sourced this file.
PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The pinned rustc (rust-toolchain.toml). Kernel builds run in their own
# directories, where rustup would not find that file: name it for them.
RUST_TOOLCHAIN=$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$PROJECT_ROOT/rust-toolchain.toml")
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN

# Put cargo-installed tools (bindgen) on PATH for everything that follows.
case ":$PATH:" in
*":$HOME/.cargo/bin:"*) ;;
*) PATH=$HOME/.cargo/bin:$PATH ;;
esac
export PATH

# The first lines of the kernel's reports of trouble: any of them on a kernel
# log line of the guest's console (stamped by printk.time=1: KERNEL_LINE)
# fails a run (qemu/run) and is counted as a splat (scripts/check).
KERNEL_LINE='^\[ *[0-9]+\.[0-9]+\] '
SPLAT_PATTERN='Kernel panic|BUG:|WARNING:|Oops|general protection fault|KASAN:|possible circular locking|possible recursive locking|suspicious RCU|refcount_t:|Call Trace:|INFO: task .* blocked for more than|soft lockup|rcu: INFO|hung_task'

step() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
# die_with STATUS MESSAGE [MORE LINES...]: say what went wrong and what to do, then exit.
die_with() {
	local status=$1
	shift
	printf 'error: %s\n' "$1" >&2
	shift
	for line in "$@"; do printf '       %s\n' "$line" >&2; done
	exit "$status"
}
die() { die_with 1 "$@"; }

# Run scripts/setup when something it installs is missing.
ensure_setup() {
	"$PROJECT_ROOT/scripts/setup" --check >/dev/null 2>&1 || "$PROJECT_ROOT/scripts/setup"
}

# The unpacked kernel source, unpacking it on first use.
kernel_source_dir() {
	local tarball=/usr/src/$KERNEL_SOURCE_PKG.tar.xz
	local dir=$PIDFD_OPEN_CACHE/src/$KERNEL_SOURCE_PKG-$KERNEL_SOURCE_VERSION
	if [ ! -f "$dir/.unpacked" ]; then
		[ -f "$tarball" ] || die "$tarball is missing" "run scripts/setup (as root) to install $KERNEL_SOURCE_PKG"
		step "unpacking $tarball into $dir (about 30 s)"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xf "$tarball" -C "$dir.tmp" --strip-components=1
		mv "$dir.tmp" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

kernel_build_dir() { echo "$PIDFD_OPEN_CACHE/kernel-$1-$KERNEL_SOURCE_VERSION"; }

# What a kernel build depends on besides the source: a change rebuilds it.
kernel_stamp() {
	{
		echo "$KERNEL_SOURCE_VERSION LLVM=$LLVM"
		rustc --version
		bindgen --version
		cat "$@"
	} | sha256sum | cut -d' ' -f1
}
