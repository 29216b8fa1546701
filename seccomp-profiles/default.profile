# Allowlist in the spirit of Docker's default profile, for nested sandboxes too
#
# The hutch face applies it unless --seccomp-profile says otherwise. What it allows is what
# shells, coreutils, compilers, make, git, python3, node and a nested hutch or bubblewrap
# need; what it denies (EPERM) changes the kernel or escapes through the terminal.
#
# A call this profile does not name fails with ENOSYS: those are the calls newer than the
# profile, and ENOSYS makes the C library fall back to the older call it replaces.

arch native compat
default errno ENOSYS

include groups/common.inc

allow @io @poll @files @memory @process @arch-specific @ids @signals @time @network @ipc
allow @sandbox

errno EPERM @privileged
errno ENOSYS @unimplemented

# Terminal injection: TIOCSTI (0x5412) pushes input into the terminal the sandbox shares,
# TIOCLINUX (0x541c) can too on a virtual console (CVE-2017-5226). The kernel reads the
# command as 32 bits, so the high-bit form (CVE-2019-10063) must match on the low half.
allow ioctl
errno EPERM ioctl arg1 &0xffffffff == 0x5412
errno EPERM ioctl arg1 &0xffffffff == 0x541c

# clone3 passes its flags in memory, where a filter cannot look: ENOSYS makes the C library
# use clone, whose flags a profile can check (strict does).
errno ENOSYS ?clone3
