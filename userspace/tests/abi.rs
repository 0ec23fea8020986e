// SPDX-License-Identifier: GPL-2.0
//! The Rust ABI (`pidfd_open::uapi`) against the C header: a C compiler builds a program that
//! prints every size, offset, signedness, flag and ioctl number of
//! `include/uapi/linux/pidfd_open.h` (and the first 64 bytes of the system's
//! `struct pidfd_info`), and each must equal the Rust value.
//!
//! Without a C compiler (the test guest) or the header (the crate outside its repository) the
//! test is reported as ignored, with the reason.
//!
//! The 88-byte layout that the module's `struct pidfd_open_info` grows to with issue 23
//! (`PIDFD_OPEN_INFO_SIZE_VER*`, `PIDFD_OPEN_INFO_EXIT`, ...) is compared once the header
//! has it (`#ifdef PIDFD_OPEN_INFO_SIZE_VER3`); until then the Rust side stands alone, pinned
//! to the native `struct pidfd_info`, which is compared where `<linux/pidfd.h>` has it.

use std::collections::BTreeMap;
use std::io::Write;
use std::mem::{offset_of, size_of};
use std::path::Path;
use std::process::Command;

mod common;

use common::{harness, Test};
use pidfd_open::uapi::*;

const PROGRAM: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <linux/pidfd_open.h>
#if __has_include(<linux/pidfd.h>)
#include <linux/pidfd.h>
#endif

#define P(name, v) printf("%s %llu\n", name, (unsigned long long)(v))
#define F(s, f)                                                                  \
	do {                                                                     \
		P(#s "." #f " offset", offsetof(struct s, f));                   \
		P(#s "." #f " size", sizeof(((struct s *)0)->f));                \
		P(#s "." #f " signed", (__typeof__(((struct s *)0)->f))-1 < 0); \
	} while (0)

int main(void)
{
	P("PIDFD_TO_PROCFD", PIDFD_TO_PROCFD);
	P("PROCFD_TO_PIDFD", PROCFD_TO_PIDFD);
	P("PIDFD_OPEN_INFO_PID", PIDFD_OPEN_INFO_PID);
	P("PIDFD_OPEN_INFO_CREDS", PIDFD_OPEN_INFO_CREDS);
	P("PIDFD_OPEN_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID);
	P("PIDFD_IOC_MAGIC", PIDFD_IOC_MAGIC);
	P("PIDFD_OPEN_FS_MAGIC", PIDFD_OPEN_FS_MAGIC);
	P("PIDFD_IOC_OPEN", PIDFD_IOC_OPEN);
	/* The first published sizes, which every module takes: the header's own structs
	 * today, and VER0 of the structs that issue 23 grows (compared below as v1, v3). */
#ifdef PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0
#define SIGNAL_ARGS_SIZE_VER0 PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0
#else
#define SIGNAL_ARGS_SIZE_VER0 sizeof(struct pidfd_signal_args)
#endif
#ifdef PIDFD_OPEN_INFO_SIZE_VER0
#define INFO_SIZE_VER0 PIDFD_OPEN_INFO_SIZE_VER0
#else
#define INFO_SIZE_VER0 sizeof(struct pidfd_open_info)
#endif
	P("PIDFD_IOC_SEND_SIGNAL",
	  _IOC(_IOC_WRITE, _IOC_TYPE(PIDFD_IOC_SEND_SIGNAL), _IOC_NR(PIDFD_IOC_SEND_SIGNAL),
	       SIGNAL_ARGS_SIZE_VER0));
	P("PIDFD_IOC_GET_INFO",
	  _IOC(_IOC_READ | _IOC_WRITE, _IOC_TYPE(PIDFD_IOC_GET_INFO), _IOC_NR(PIDFD_IOC_GET_INFO),
	       INFO_SIZE_VER0));

	P("pidfd_open_args size", sizeof(struct pidfd_open_args));
	F(pidfd_open_args, pid);
	F(pidfd_open_args, procfd);
	F(pidfd_open_args, pidfd);
	F(pidfd_open_args, flags);

	P("pidfd_signal_args size", SIGNAL_ARGS_SIZE_VER0);
	F(pidfd_signal_args, sig);
	F(pidfd_signal_args, flags);
#ifdef PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1
	/* The module's struct pidfd_signal_args of issue 23. */
	P("v1 pidfd_signal_args size", sizeof(struct pidfd_signal_args));
	P("v1 PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1", PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1);
	P("v1 PIDFD_IOC_SEND_SIGNAL", PIDFD_IOC_SEND_SIGNAL);
	P("v1 pidfd_signal_args.info offset", offsetof(struct pidfd_signal_args, info));
	P("v1 pidfd_signal_args.info size", sizeof(((struct pidfd_signal_args *)0)->info));
	P("v1 PIDFD_OPEN_SIGNAL_THREAD", PIDFD_OPEN_SIGNAL_THREAD);
	P("v1 PIDFD_OPEN_SIGNAL_THREAD_GROUP", PIDFD_OPEN_SIGNAL_THREAD_GROUP);
	P("v1 PIDFD_OPEN_SIGNAL_PROCESS_GROUP", PIDFD_OPEN_SIGNAL_PROCESS_GROUP);
#endif
	/* The open flags of issue 23, each where the header has it. */
#ifdef PIDFD_OPEN_THREAD
	P("flag PIDFD_OPEN_THREAD", PIDFD_OPEN_THREAD);
#endif
#ifdef PIDFD_OPEN_NONBLOCK
	P("flag PIDFD_OPEN_NONBLOCK", PIDFD_OPEN_NONBLOCK);
#endif

	P("pidfd_open_info size", INFO_SIZE_VER0);
	F(pidfd_open_info, mask);
	F(pidfd_open_info, cgroupid);
	F(pidfd_open_info, pid);
	F(pidfd_open_info, tgid);
	F(pidfd_open_info, ppid);
	F(pidfd_open_info, ruid);
	F(pidfd_open_info, rgid);
	F(pidfd_open_info, euid);
	F(pidfd_open_info, egid);
	F(pidfd_open_info, suid);
	F(pidfd_open_info, sgid);
	F(pidfd_open_info, fsuid);
	F(pidfd_open_info, fsgid);
	F(pidfd_open_info, exit_code);

#ifdef PIDFD_GET_INFO
	/* The native struct: its first 64 bytes must be struct pidfd_open_info. */
	P("native PIDFS_IOCTL_MAGIC", PIDFS_IOCTL_MAGIC);
	P("native PIDFD_INFO_SIZE_VER0", PIDFD_INFO_SIZE_VER0);
	P("native PIDFD_GET_INFO_VER0",
	  _IOC(_IOC_READ | _IOC_WRITE, _IOC_TYPE(PIDFD_GET_INFO), _IOC_NR(PIDFD_GET_INFO),
	       PIDFD_INFO_SIZE_VER0));
	P("native PIDFD_INFO_PID", PIDFD_INFO_PID);
	P("native PIDFD_INFO_CREDS", PIDFD_INFO_CREDS);
	P("native PIDFD_INFO_CGROUPID", PIDFD_INFO_CGROUPID);
#define N(f) P("native pidfd_info." #f " offset", offsetof(struct pidfd_info, f))
	N(mask); N(cgroupid); N(pid); N(tgid); N(ppid); N(ruid); N(rgid); N(euid); N(egid);
	N(suid); N(sgid); N(fsuid); N(fsgid); N(exit_code);
#endif
#ifdef PIDFD_INFO_SIZE_VER3
	/* Linux 7.3's 88-byte struct pidfd_info. */
	P("native88 sizeof pidfd_info", sizeof(struct pidfd_info));
	P("native88 PIDFD_INFO_SIZE_VER3", PIDFD_INFO_SIZE_VER3);
	P("native88 PIDFD_GET_INFO", PIDFD_GET_INFO);
	P("native88 PIDFD_INFO_EXIT", PIDFD_INFO_EXIT);
	P("native88 PIDFD_INFO_SUPPORTED_MASK", PIDFD_INFO_SUPPORTED_MASK);
#define N88(f) P("native88 pidfd_info." #f " offset", offsetof(struct pidfd_info, f))
	N88(coredump_mask); N88(coredump_signal); N88(coredump_code); N88(coredump_pad);
	N88(supported_mask);
#endif
#ifdef PIDFD_OPEN_INFO_SIZE_VER3
	/* The module's struct pidfd_open_info of issue 23. */
	P("v3 PIDFD_OPEN_INFO_SIZE_VER0", PIDFD_OPEN_INFO_SIZE_VER0);
	P("v3 PIDFD_OPEN_INFO_SIZE_VER1", PIDFD_OPEN_INFO_SIZE_VER1);
	P("v3 PIDFD_OPEN_INFO_SIZE_VER2", PIDFD_OPEN_INFO_SIZE_VER2);
	P("v3 PIDFD_OPEN_INFO_SIZE_VER3", PIDFD_OPEN_INFO_SIZE_VER3);
	P("v3 PIDFD_OPEN_INFO_EXIT", PIDFD_OPEN_INFO_EXIT);
	P("v3 PIDFD_OPEN_INFO_COREDUMP", PIDFD_OPEN_INFO_COREDUMP);
	P("v3 PIDFD_OPEN_INFO_SUPPORTED_MASK", PIDFD_OPEN_INFO_SUPPORTED_MASK);
	P("v3 PIDFD_OPEN_INFO_COREDUMP_SIGNAL", PIDFD_OPEN_INFO_COREDUMP_SIGNAL);
	P("v3 PIDFD_OPEN_INFO_COREDUMP_CODE", PIDFD_OPEN_INFO_COREDUMP_CODE);
	P("v3 PIDFD_IOC_GET_INFO_VER3", PIDFD_IOC_GET_INFO);
	P("v3 pidfd_open_info size", sizeof(struct pidfd_open_info));
#define V3(f) P("v3 pidfd_open_info." #f " offset", offsetof(struct pidfd_open_info, f))
	V3(coredump_mask); V3(coredump_signal); V3(coredump_code); V3(coredump_pad);
	V3(supported_mask);
#endif
	return 0;
}
"#;

trait Int {
    const SIGNED: bool;
}
impl Int for i32 {
    const SIGNED: bool = true;
}
impl Int for u32 {
    const SIGNED: bool = false;
}
impl Int for u64 {
    const SIGNED: bool = false;
}

fn size<S, F>(_: fn(&S) -> &F) -> u64 {
    size_of::<F>() as u64
}

fn signed<S, F: Int>(_: fn(&S) -> &F) -> u64 {
    F::SIGNED.into()
}

macro_rules! fields {
    ($out:ident, $rs:ty, $cs:literal: $($f:ident),*) => {$(
        $out.insert(format!("{}.{} offset", $cs, stringify!($f)), offset_of!($rs, $f) as u64);
        $out.insert(format!("{}.{} size", $cs, stringify!($f)), size(|s: &$rs| &s.$f));
        $out.insert(format!("{}.{} signed", $cs, stringify!($f)), signed(|s: &$rs| &s.$f));
    )*};
}

/// Every number, as the Rust side has it, under the name the C program prints it with.
fn rust_values() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for (name, v) in [
        ("PIDFD_TO_PROCFD", PIDFD_TO_PROCFD.into()),
        ("PROCFD_TO_PIDFD", PROCFD_TO_PIDFD.into()),
        ("PIDFD_OPEN_INFO_PID", PIDFD_OPEN_INFO_PID),
        ("PIDFD_OPEN_INFO_CREDS", PIDFD_OPEN_INFO_CREDS),
        ("PIDFD_OPEN_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID),
        ("PIDFD_IOC_MAGIC", PIDFD_IOC_MAGIC.into()),
        ("PIDFD_OPEN_FS_MAGIC", PIDFD_OPEN_FS_MAGIC.into()),
        ("PIDFD_IOC_OPEN", PIDFD_IOC_OPEN.into()),
        ("PIDFD_IOC_SEND_SIGNAL", PIDFD_IOC_SEND_SIGNAL.into()),
        ("PIDFD_IOC_GET_INFO", PIDFD_IOC_GET_INFO.into()),
        ("pidfd_open_args size", size_of::<PidfdOpenArgs>() as u64),
        (
            "pidfd_signal_args size",
            size_of::<PidfdSignalArgs>() as u64,
        ),
        ("pidfd_open_info size", size_of::<PidfdOpenInfo>() as u64),
        ("native PIDFS_IOCTL_MAGIC", PIDFS_IOCTL_MAGIC.into()),
        ("native PIDFD_INFO_SIZE_VER0", PIDFD_INFO_SIZE_VER0 as u64),
        ("native PIDFD_GET_INFO_VER0", PIDFD_GET_INFO_VER0.into()),
        ("native PIDFD_INFO_PID", PIDFD_OPEN_INFO_PID),
        ("native PIDFD_INFO_CREDS", PIDFD_OPEN_INFO_CREDS),
        ("native PIDFD_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID),
    ] {
        m.insert(name.to_string(), v);
    }
    fields!(m, PidfdOpenArgs, "pidfd_open_args": pid, procfd, pidfd, flags);
    fields!(m, PidfdSignalArgs, "pidfd_signal_args": sig, flags);
    for (name, v) in [
        ("native88 sizeof pidfd_info", size_of::<PidfdInfo>() as u64),
        ("native88 PIDFD_INFO_SIZE_VER3", PIDFD_INFO_SIZE_VER3 as u64),
        ("native88 PIDFD_GET_INFO", PIDFD_GET_INFO.into()),
        ("native88 PIDFD_INFO_EXIT", PIDFD_INFO_EXIT),
        (
            "native88 PIDFD_INFO_SUPPORTED_MASK",
            PIDFD_INFO_SUPPORTED_MASK,
        ),
        (
            "v3 PIDFD_OPEN_INFO_SIZE_VER0",
            PIDFD_OPEN_INFO_SIZE_VER0 as u64,
        ),
        (
            "v3 PIDFD_OPEN_INFO_SIZE_VER1",
            PIDFD_OPEN_INFO_SIZE_VER1 as u64,
        ),
        (
            "v3 PIDFD_OPEN_INFO_SIZE_VER2",
            PIDFD_OPEN_INFO_SIZE_VER2 as u64,
        ),
        (
            "v3 PIDFD_OPEN_INFO_SIZE_VER3",
            PIDFD_OPEN_INFO_SIZE_VER3 as u64,
        ),
        ("v3 PIDFD_OPEN_INFO_EXIT", PIDFD_OPEN_INFO_EXIT),
        ("v3 PIDFD_OPEN_INFO_COREDUMP", PIDFD_OPEN_INFO_COREDUMP),
        (
            "v3 PIDFD_OPEN_INFO_SUPPORTED_MASK",
            PIDFD_OPEN_INFO_SUPPORTED_MASK,
        ),
        (
            "v3 PIDFD_OPEN_INFO_COREDUMP_SIGNAL",
            PIDFD_OPEN_INFO_COREDUMP_SIGNAL,
        ),
        (
            "v3 PIDFD_OPEN_INFO_COREDUMP_CODE",
            PIDFD_OPEN_INFO_COREDUMP_CODE,
        ),
        ("v3 PIDFD_IOC_GET_INFO_VER3", PIDFD_IOC_GET_INFO_VER3.into()),
        ("v3 pidfd_open_info size", size_of::<PidfdInfo>() as u64),
        (
            "v1 pidfd_signal_args size",
            size_of::<PidfdSignalArgsV1>() as u64,
        ),
        (
            "v1 PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1",
            PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1 as u64,
        ),
        (
            "v1 PIDFD_IOC_SEND_SIGNAL",
            PIDFD_IOC_SEND_SIGNAL_VER1.into(),
        ),
        (
            "v1 pidfd_signal_args.info offset",
            offset_of!(PidfdSignalArgsV1, info) as u64,
        ),
        ("v1 pidfd_signal_args.info size", 8),
        (
            "v1 PIDFD_OPEN_SIGNAL_THREAD",
            PIDFD_OPEN_SIGNAL_THREAD.into(),
        ),
        (
            "v1 PIDFD_OPEN_SIGNAL_THREAD_GROUP",
            PIDFD_OPEN_SIGNAL_THREAD_GROUP.into(),
        ),
        (
            "v1 PIDFD_OPEN_SIGNAL_PROCESS_GROUP",
            PIDFD_OPEN_SIGNAL_PROCESS_GROUP.into(),
        ),
        ("flag PIDFD_OPEN_THREAD", PIDFD_OPEN_THREAD.into()),
        ("flag PIDFD_OPEN_NONBLOCK", PIDFD_OPEN_NONBLOCK.into()),
    ] {
        m.insert(name.to_string(), v);
    }
    for (f, off) in [
        ("coredump_mask", offset_of!(PidfdInfo, coredump_mask)),
        ("coredump_signal", offset_of!(PidfdInfo, coredump_signal)),
        ("coredump_code", offset_of!(PidfdInfo, coredump_code)),
        ("coredump_pad", offset_of!(PidfdInfo, coredump_pad)),
        ("supported_mask", offset_of!(PidfdInfo, supported_mask)),
    ] {
        m.insert(format!("native88 pidfd_info.{f} offset"), off as u64);
        m.insert(format!("v3 pidfd_open_info.{f} offset"), off as u64);
    }
    fields!(m, PidfdOpenInfo, "pidfd_open_info": mask, cgroupid, pid, tgid, ppid, ruid, rgid,
        euid, egid, suid, sgid, fsuid, fsgid, exit_code);
    let native: Vec<(String, u64)> = m
        .iter()
        .filter(|(k, _)| k.starts_with("pidfd_open_info.") && k.ends_with(" offset"))
        .map(|(k, &v)| (k.replace("pidfd_open_info.", "native pidfd_info."), v))
        .collect();
    m.extend(native);
    m
}

fn include_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/uapi")
}

fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// Why the check cannot run here, if it cannot: no header, or no C compiler.
fn abi_skip() -> Option<String> {
    let header = include_dir().join("linux/pidfd_open.h");
    if !header.exists() {
        return Some(format!("no {}", header.display()));
    }
    match Command::new(cc()).arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some(format!("no C compiler '{}'", cc())),
    }
}

fn note(text: &str) {
    let _ = std::io::stderr().write_all(format!("\nnote: {text}\n").as_bytes());
}

fn rust_abi_matches_the_c_header() {
    let include = include_dir();
    let dir = std::env::temp_dir().join(format!("pidfd-open-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("abi.c"), dir.join("abi"));
    std::fs::write(&src, PROGRAM).unwrap();
    let cc = cc();
    let built = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-I"])
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output();
    let built = built.expect("run the C compiler");
    assert!(
        built.status.success(),
        "{cc} failed on the ABI program:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = Command::new(&exe).output().expect("run the ABI program");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        out.status.success(),
        "the ABI program failed: {}",
        out.status
    );

    let c: BTreeMap<String, u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (name, v) = line.rsplit_once(' ').unwrap();
            (name.to_string(), v.parse().unwrap())
        })
        .collect();
    let rust = rust_values();
    let has = |prefix: &str| c.keys().any(|k| k.starts_with(prefix));
    let (has_native, has_native88) = (has("native "), has("native88 "));
    let (has_v1, has_v3) = (has("v1 "), has("v3 "));
    let mut mismatches = Vec::new();
    for (name, &r) in &rust {
        match c.get(name) {
            Some(&v) if v == r => {}
            Some(&v) => mismatches.push(format!("{name}: C {v:#x}, Rust {r:#x}")),
            None if name.starts_with("native ") && !has_native => {}
            None if name.starts_with("native88 ") && !has_native88 => {}
            None if name.starts_with("v3 ") && !has_v3 => {}
            None if name.starts_with("v1 ") && !has_v1 => {}
            // Each open flag is compared where the header has it.
            None if name.starts_with("flag ") => {}
            None => mismatches.push(format!("{name}: not printed by the C program")),
        }
    }
    for name in c.keys().filter(|k| !rust.contains_key(*k)) {
        mismatches.push(format!("{name}: no Rust value to compare"));
    }
    assert!(
        mismatches.is_empty(),
        "the Rust ABI differs from the C header:\n{}",
        mismatches.join("\n")
    );
    assert!(c.len() >= 60, "only {} values compared", c.len());
    if !has_native88 {
        note("<linux/pidfd.h> has no 88-byte struct pidfd_info: it was not compared");
    }
    if !has_v3 {
        note("the header has no PIDFD_OPEN_INFO_SIZE_VER3 (issue 23): the module's 88-byte layout was compared with the native one only");
    }
    if !has_v1 {
        note("the header has no PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1 (issue 23): not compared");
    }
}

fn main() {
    harness::run(vec![Test::new(
        "rust_abi_matches_the_c_header",
        rust_abi_matches_the_c_header,
    )
    .skip_if(abi_skip())]);
}
