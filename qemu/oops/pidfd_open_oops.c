// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: a module whose init dereferences NULL, so that loading it
 * Oopses the kernel in insmod. qemu/runner-test loads it in the guest to check
 * that an Oops ends the run at once (the guest kernels boot with oops=panic)
 * and that qemu/run names the splat. Never installed.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init pidfd_open_oops_init(void)
{
	pr_info("pidfd_open_oops: dereferencing NULL on purpose\n");
	/* The kernel builds with -fno-delete-null-pointer-checks: the load stays. */
	return *(volatile int *)NULL;
}
module_init(pidfd_open_oops_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pidfd_open test helper: Oopses on load");
