# Shared helpers for the scripts in this directory. Source it; do not run it.

# Where the kernel source, test kernels and guest images live. Outside the
# repository so that a fresh clone reuses them.
PIDFD_OPEN_CACHE=${PIDFD_OPEN_CACHE:-$HOME/.cache/pidfd_open}
# The Debian package that carries the kernel source (from trixie-backports,
# fetched with apt-get download, never installed: installing it would upgrade
# the host's linux-libc-dev, its uapi headers), its version, and the kernel
# version it holds.
KERNEL_SOURCE_PKG=linux-source-7.3
KERNEL_SOURCE_PKG_VERSION=7.3.4-1~bpo13+1
KERNEL_SOURCE_VERSION=7.3.4
# Debian's stock kernels of that version, one per flavour, from
# trixie-backports (packages linux-binary-<release> and linux-headers-<release>),
# and the rustc they were built with (their .config's CONFIG_RUSTC_VERSION_TEXT
# without "rustc "): scripts/stock-kernel. The project names them as kernels:
# stock is the amd64 flavour, stock-cloud cloud-amd64, stock-rt rt-amd64
# (PREEMPT_RT).
STOCK_KERNELS="stock stock-cloud stock-rt"
STOCK_ABI=7.3.4+deb13
STOCK_VERSION=7.3.4-1~bpo13+1
STOCK_RUSTC_VERSION="1.85.1 (4eb161250 2025-03-15) (built from a source tarball)"
# stock_flavour KERNEL: Debian's flavour of one of STOCK_KERNELS (fails for others).
stock_flavour() {
	case "$1" in
	stock) echo amd64 ;;
	stock-cloud) echo cloud-amd64 ;;
	stock-rt) echo rt-amd64 ;;
	*) return 1 ;;
	esac
}
# stock_release KERNEL: its release (uname -r), e.g. 7.3.4+deb13-rt-amd64.
stock_release() { echo "$STOCK_ABI-$(stock_flavour "$1")"; }
# stock_kernel_of RELEASE: the one of STOCK_KERNELS with that release, or fail.
stock_kernel_of() {
	local kernel
	for kernel in $STOCK_KERNELS; do
		[ "$(stock_release "$kernel")" != "$1" ] || { echo "$kernel"; return 0; }
	done
	return 1
}
# Every kernel qemu/run boots, and what make check runs the suite on.
KERNELS="test debug $STOCK_KERNELS"
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
# kernel_splats LOG [PATTERN]: the kernel log lines of a console log that
# match PATTERN (default: any splat), with their line numbers.
kernel_splats() { grep -n -E "$KERNEL_LINE(${2:-$SPLAT_PATTERN})" "$1"; }

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

# The mirror that the machine's own Debian sources use (scripts/setup's
# backports, scripts/check-debian's guest image), so that no host name is
# written into this repository.
debian_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources uri
	[ -r "$f" ] || die "cannot read $f to find this machine's Debian mirror" \
		"add a deb822 sources file there whose URIs: name a Debian mirror"
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
	[ -n "$uri" ] || die "no non-security URIs: line in $f"
	echo "$uri"
}

# Run scripts/setup when something it installs is missing.
ensure_setup() {
	"$PROJECT_ROOT/scripts/setup" --check >/dev/null 2>&1 || "$PROJECT_ROOT/scripts/setup"
}

# apt_download DIR PACKAGE VERSION: fetch PACKAGE=VERSION's .deb into DIR
# unless it is there (apt checks it against the signed archive); print its path.
apt_download() {
	local dir=$1 pkg=$2 version=$3 deb
	mkdir -p "$dir"
	if ! compgen -G "$dir/${pkg}_*.deb" >/dev/null; then
		note "apt-get download $pkg=$version"
		(cd "$dir" && apt-get download -q "$pkg=$version" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
			die "cannot download $pkg=$version" \
				"run scripts/setup, which adds trixie-backports to apt's sources;" \
				"if the archive no longer has $version, set STOCK_ABI, STOCK_VERSION and KERNEL_SOURCE_PKG_VERSION in scripts/lib.sh to the kernel it has now"
	fi
	deb=$(compgen -G "$dir/${pkg}_*.deb")
	[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
		die "$deb is version $(dpkg-deb -f "$deb" Version), not $version" "delete it and run again"
	echo "$deb"
}

# The unpacked kernel source, fetched and unpacked on first use (about a
# minute): the tarball inside the linux-source package, taken out of the .deb.
kernel_source_dir() {
	local src=$PIDFD_OPEN_CACHE/src
	local dir=$src/$KERNEL_SOURCE_PKG-$KERNEL_SOURCE_VERSION deb
	if [ ! -f "$dir/.unpacked" ]; then
		step "fetching and unpacking the kernel source $KERNEL_SOURCE_PKG $KERNEL_SOURCE_PKG_VERSION into $dir (about a minute)"
		deb=$(apt_download "$src" "$KERNEL_SOURCE_PKG" "$KERNEL_SOURCE_PKG_VERSION")
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$KERNEL_SOURCE_PKG.tar.xz" |
			tar -xJ -C "$dir.tmp" --strip-components=1 ||
			die "unpacking the kernel source from $deb failed" "delete $deb and run again"
		mv "$dir.tmp" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

kernel_build_dir() { echo "$PIDFD_OPEN_CACHE/kernel-$1-$KERNEL_SOURCE_VERSION"; }

# lock_kernel_build DIR: hold the build lock of the kernel in DIR until this
# process and its children exit, so that one kernel is never built twice at
# once (scripts/check builds the next kernels in the background while a stage
# runs). If another process holds it, say so and wait, with progress.
lock_kernel_build() {
	local dir=$1 start=$SECONDS
	mkdir -p "$(dirname "$dir")"
	exec 9>"$dir.lock"
	flock -n 9 && return 0
	step "waiting for the build of $(basename "$dir") that another process is running (make check builds kernels in the background)"
	note "its log: $dir/build.log"
	local steps
	until flock -w 60 9; do
		# grep -c prints 0 itself when nothing matches; no log yet is 0 too.
		steps=$(grep -c '^  [A-Z]' "$dir/build.log" 2>/dev/null) || steps=${steps:-0}
		note "still building after $((SECONDS - start)) s: $steps build steps so far"
	done
	note "done after $((SECONDS - start)) s of waiting"
}

# What a kernel build depends on besides the source: a change rebuilds it.
kernel_stamp() {
	{
		echo "$KERNEL_SOURCE_VERSION LLVM=$LLVM"
		rustc --version
		bindgen --version
		cat "$@"
	} | sha256sum | cut -d' ' -f1
}
