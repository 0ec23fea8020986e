// SPDX-License-Identifier: GPL-2.0
//! What the crate makes of what answers at `/dev/pidfd_open`: only the `pidfd_open` misc
//! device is trusted (a different device there is `ENODEV`), the native backend stands in
//! only where the module is absent (`ENOENT`, `ENODEV`, `ENXIO`), every other error is
//! returned, and the device is opened once.
//!
//! Each case runs in a process of its own (this binary, with `CASE_ENV` set): the crate
//! keeps the device it opened for the life of the process. The cases that put another file
//! at `/dev/pidfd_open` do so on a tmpfs mounted on `/dev` in a mount namespace of their own
//! (root only: elsewhere they are reported as ignored).

mod common;

use std::process::Command;

use common::*;
use pidfd_open::{Backend, PidFd};
use rustix::fs::{FileType, Mode};
use rustix::mount::{MountFlags, MountPropagationFlags};
use rustix::thread::UnshareFlags;

const CASE_ENV: &str = "PIDFD_OPEN_DEVICE_CASE";

/// Runs case `name` in a new process, which must exit 0.
fn run_case(name: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CASE_ENV, name)
        .output()
        .expect("run the case's process");
    assert!(
        out.status.success(),
        "case {name} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// This process in a mount namespace of its own with an empty tmpfs on `/dev`.
fn private_empty_dev() {
    // SAFETY: Only the mount namespace (and the fs_struct it implies) is unshared, in a
    // process that has no other thread yet.
    unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWNS) }.expect("unshare(CLONE_NEWNS)");
    rustix::mount::mount_change(
        "/",
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
    .expect("mount --make-rprivate /");
    rustix::mount::mount("tmpfs", "/dev", "tmpfs", MountFlags::empty(), None)
        .expect("mount a tmpfs on /dev");
}

/// `/dev/pidfd_open` as a character device `major:minor`.
fn mknod_device(major: u32, minor: u32) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        pidfd_open::DEVICE_PATH,
        FileType::CharacterDevice,
        Mode::from_raw_mode(0o666),
        rustix::fs::makedev(major, minor),
    )
    .expect("mknod /dev/pidfd_open");
}

/// The cases, in their own processes.
fn case(name: &str) {
    let me = std::process::id();
    match name {
        // /dev/null's numbers at /dev/pidfd_open: a node that opens, of another driver.
        "other_device" => {
            private_empty_dev();
            mknod_device(1, 3);
            expect_errno(
                "open_with(Module) through /dev/null's numbers",
                PidFd::open_with(me, Backend::Module),
                ENODEV,
            );
            assert_eq!(ok("try_detect", Backend::try_detect()), Backend::Native);
            let pidfd = ok("open(self)", PidFd::open(me));
            assert_eq!(pidfd.backend(), Backend::Native, "{pidfd:?}");
        }
        // Numbers no driver has: ENXIO, the module is absent.
        "unregistered_numbers" => {
            private_empty_dev();
            mknod_device(240, 77);
            expect_errno(
                "open_with(Module), 240:77",
                PidFd::open_with(me, Backend::Module),
                ENXIO,
            );
            assert_eq!(ok("open(self)", PidFd::open(me)).backend(), Backend::Native);
        }
        "absent" => {
            private_empty_dev();
            expect_errno(
                "open_with(Module), no node",
                PidFd::open_with(me, Backend::Module),
                ENOENT,
            );
            assert_eq!(ok("open(self)", PidFd::open(me)).backend(), Backend::Native);
            assert_eq!(Backend::detect(), Backend::Native);
        }
        // A path that is there but does not open as a device: the error, not a fallback.
        "not_openable" => {
            private_empty_dev();
            std::fs::create_dir(pidfd_open::DEVICE_PATH).expect("mkdir /dev/pidfd_open");
            expect_errno(
                "open(self) with a directory at the path",
                PidFd::open(me),
                EISDIR,
            );
            expect_errno("try_detect", Backend::try_detect(), EISDIR);
            let dir = open_path("/proc/self", rustix::fs::OFlags::DIRECTORY);
            expect_errno(
                "from_proc_dir(/proc/self)",
                PidFd::from_proc_dir(&dir),
                EISDIR,
            );
            assert_eq!(Backend::detect(), Backend::Native);
            ok("open_with(Native)", PidFd::open_with(me, Backend::Native));
        }
        // One device fd for the process, however many calls.
        "opened_once" => {
            let count = || std::fs::read_dir("/proc/self/fd").unwrap().count();
            let before = count();
            for _ in 0..5 {
                let pidfd = ok("open_with(Module)", PidFd::open_with(me, Backend::Module));
                let dir = ok("to_proc_dir", pidfd.to_proc_dir(proc_root()));
                ok(
                    "from_proc_dir",
                    PidFd::from_proc_dir_with(&dir, Backend::Module),
                );
            }
            assert_eq!(
                count(),
                before + 1,
                "fds after 15 module calls: the device, once"
            );
            let devices = std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(|e| std::fs::read_link(e.unwrap().path()).ok())
                .filter(|l| l.to_str() == Some(pidfd_open::DEVICE_PATH))
                .count();
            assert_eq!(devices, 1, "open fds of {}", pidfd_open::DEVICE_PATH);
        }
        other => panic!("no case {other}"),
    }
}

fn main() {
    if let Ok(name) = std::env::var(CASE_ENV) {
        case(&name);
        std::process::exit(0);
    }
    let root = root_skip();
    let mut tests = Vec::new();
    for name in [
        "other_device",
        "unregistered_numbers",
        "absent",
        "not_openable",
    ] {
        let test = match name {
            "other_device" => "a_device_that_is_not_pidfd_open_is_enodev_and_native_stands_in",
            "unregistered_numbers" => "a_node_no_driver_answers_is_enxio_and_native_stands_in",
            "absent" => "no_device_node_is_enoent_and_native_stands_in",
            _ => "a_device_path_that_does_not_open_is_an_error_not_a_fallback",
        };
        tests.push(Test::new(test, move || run_case(name)).skip_if(root.clone()));
    }
    tests.push(
        Test::new("module::the_device_is_opened_once_per_process", || {
            assert_module_opens();
            run_case("opened_once")
        })
        .skip_if(module_skip()),
    );
    harness::run(tests);
}
