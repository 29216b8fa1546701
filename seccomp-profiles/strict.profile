# The default profile without new namespaces, debugging of other processes or personalities
#
# Everything of `default`, except: creating namespaces (clone and unshare with a CLONE_NEW*
# flag, setns), reaching into other processes (ptrace, process_vm_readv/writev,
# pidfd_getfd), and changing the personality (querying it stays allowed).

include default

# CLONE_NEWNS 0x20000, CLONE_NEWCGROUP 0x2000000, CLONE_NEWUTS 0x4000000,
# CLONE_NEWIPC 0x8000000, CLONE_NEWUSER 0x10000000, CLONE_NEWPID 0x20000000,
# CLONE_NEWNET 0x40000000; unshare also takes CLONE_NEWTIME 0x80, which clone reads as part
# of the exit signal. The kernel uses the low 32 bits of clone's flags. The flags are the
# first argument on x86, arm, aarch64, riscv, ppc and mips (s390 swaps the first two).
errno EPERM clone arg0 &0x7e020000 != 0
errno EPERM unshare arg0 &0x7e020080 != 0
errno EPERM setns

errno EPERM ptrace process_vm_readv process_vm_writev ?pidfd_getfd

# personality(0xffffffff) only asks; PER_LINUX (0) is what every process already has.
errno EPERM personality
allow personality arg0 &0xffffffff == 0xffffffff
allow personality arg0 &0xffffffff == 0
