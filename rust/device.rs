// SPDX-License-Identifier: GPL-2.0

//! The misc device `/dev/pidfd_open` and its ioctl dispatch.

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    sync::aref::ARef,
};

use crate::{
    file::install_fd,
    pid::Pid,
    pidfd::PidfdInode,
    procfs,
    uapi::{user_arg, PidfdOpenArgs, PIDFD_IOC_OPEN, PIDFD_TO_PROCFD, PROCFD_TO_PIDFD},
};

/// An open `/dev/pidfd_open`: the inode its pidfds are opened on. Every ioctl carries all else
/// it needs.
pub(crate) struct PidfdOpenDevice {
    pidfds: PidfdInode,
}

#[vtable]
impl MiscDevice for PidfdOpenDevice {
    type Ptr = KBox<Self>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let pidfds = PidfdInode::new()?;
        Ok(KBox::new(Self { pidfds }, GFP_KERNEL)?)
    }

    fn ioctl(device: &Self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            PIDFD_IOC_OPEN => {
                let args = user_arg::<PidfdOpenArgs>(arg).reader().read()?;
                install_fd(device.pidfd_open(&args)?)
            }
            _ => Err(ENOTTY),
        }
    }
}

impl PidfdOpenDevice {
    /// `PIDFD_IOC_OPEN`: the `pidfd_open(pid, procfd, pidfd, flags)` of the 2019 patch, checked
    /// in the order of SPEC.md's table.
    fn pidfd_open(&self, args: &PidfdOpenArgs) -> Result<ARef<File>> {
        match args.flags {
            0 => {
                if args.pid <= 0 || args.procfd != -1 || args.pidfd != -1 {
                    return Err(EINVAL);
                }
                let pid = Pid::find_in_current_ns(args.pid).ok_or(ESRCH)?;
                pid.check_live_leader()?;
                self.pidfds.new_file(pid)
            }
            PIDFD_TO_PROCFD => {
                if args.pid != -1 || args.procfd < 0 || args.pidfd < 0 {
                    return Err(EINVAL);
                }
                procfs::pidfd_to_procfd(args.procfd, args.pidfd)
            }
            PROCFD_TO_PIDFD => {
                if args.pid != -1 || args.pidfd != -1 || args.procfd < 0 {
                    return Err(EINVAL);
                }
                procfs::procfd_to_pidfd(args.procfd, &self.pidfds)
            }
            _ => Err(EINVAL),
        }
    }
}
