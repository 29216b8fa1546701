/* seccomp-abi: the ABIs a profile's rules apply to and the numbers of their system calls,
 * from libseccomp's tables (the only part of libseccomp hutch's compiler uses). */
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-abi.h"

void seccomp_abi_init(struct seccomp_abi *abi, uint32_t token)
{
	memset(abi, 0, sizeof(*abi));
	abi->token = token;
	abi->audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
	abi->wide = abi->audit & __AUDIT_ARCH_64BIT;
	abi->le = abi->audit & __AUDIT_ARCH_LE;
	abi->socketcall = seccomp_syscall_resolve_name_arch(token, "socketcall");
	abi->ipc = seccomp_syscall_resolve_name_arch(token, "ipc");
}

void seccomp_abi_free(struct seccomp_abi *abi)
{
	free(abi->names);
	free(abi->nrs);
}

/* Where the ABI's table of numbers starts: MIPS numbers its three ABIs from 4000, 5000 and
 * 6000, x32 sets its bit. */
static uint32_t abi_base(uint32_t token)
{
	switch (token) {
	case SCMP_ARCH_X32:
		return SECCOMP_ABI_X32_BIT;
	case SCMP_ARCH_MIPS:
	case SCMP_ARCH_MIPSEL:
		return 4000;
	case SCMP_ARCH_MIPS64:
	case SCMP_ARCH_MIPSEL64:
		return 5000;
	case SCMP_ARCH_MIPS64N32:
	case SCMP_ARCH_MIPSEL64N32:
		return 6000;
	}
	return 0;
}

/* The number of `name` on this ABI, or -1 when it has none. libseccomp gives i386's socket
 * and System V IPC calls only as socketcall/ipc pseudo-numbers (-101 to -224), though Linux
 * 4.3 and 5.1 gave them numbers of their own: those are found by reading its table
 * backwards. Calls the ABI lacks have pseudo-numbers from -10001 down. */
int64_t seccomp_abi_nr(struct seccomp_abi *abi, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(abi->token, name);

	if (nr >= 0)
		return nr;
	/* A direct number is worth looking for only where the multiplexer exists (recv has a
	 * socketcall pseudo-number on x86_64 too, which has neither). */
	if (!(nr <= -101 && nr >= -120 && abi->socketcall >= 0) &&
	    !(nr <= -201 && nr >= -224 && abi->ipc >= 0))
		return -1;
	if (!abi->scanned) {
		uint32_t base = abi_base(abi->token);

		abi->scanned = true;
		for (uint32_t i = 0; i < 1024; i++) {
			char *s = seccomp_syscall_resolve_num_arch(abi->token, (int)(base + i));

			if (!s)
				continue;
			if (strlen(s) < SECCOMP_PROFILE_NAME_MAX) {
				abi->names =
					xrealloc(abi->names, (abi->n + 1) * sizeof(*abi->names));
				abi->nrs = xrealloc(abi->nrs, (abi->n + 1) * sizeof(*abi->nrs));
				snprintf(abi->names[abi->n], sizeof(abi->names[0]), "%s", s);
				abi->nrs[abi->n++] = base + i;
			}
			free(s);
		}
	}
	for (size_t i = 0; i < abi->n; i++)
		if (strcmp(abi->names[i], name) == 0)
			return abi->nrs[i];
	return -1;
}

/* Calls that some ABIs (i386, s390, ppc, mips o32) also reach through socketcall(2) or
 * ipc(2), with the call's number in the first argument and its arguments in memory. */
static const struct {
	const char *name;
	uint32_t call;
} socket_calls[] = {
	{ "socket", 1 },       { "bind", 2 },	       { "connect", 3 },      { "listen", 4 },
	{ "accept", 5 },       { "getsockname", 6 },   { "getpeername", 7 },  { "socketpair", 8 },
	{ "send", 9 },	       { "recv", 10 },	       { "sendto", 11 },      { "recvfrom", 12 },
	{ "shutdown", 13 },    { "setsockopt", 14 },   { "getsockopt", 15 },  { "sendmsg", 16 },
	{ "recvmsg", 17 },     { "accept4", 18 },      { "recvmmsg", 19 },    { "sendmmsg", 20 },
}, ipc_calls[] = {
	{ "semop", 1 },	 { "semget", 2 }, { "semctl", 3 },  { "semtimedop", 4 },
	{ "msgsnd", 11 }, { "msgrcv", 12 }, { "msgget", 13 }, { "msgctl", 14 },
	{ "shmat", 21 },  { "shmdt", 22 },  { "shmget", 23 }, { "shmctl", 24 },
};

/* The multiplexer that also reaches `name` on this ABI, with the condition on its first
 * argument that selects `name`; NULL when there is none. */
const char *seccomp_abi_multiplexer(const struct seccomp_abi *abi, const char *name,
				    struct seccomp_profile_cond *c)
{
	if (abi->socketcall >= 0)
		for (size_t i = 0; i < sizeof(socket_calls) / sizeof(socket_calls[0]); i++)
			if (strcmp(socket_calls[i].name, name) == 0) {
				/* socketcall(int call, ...): the kernel reads 32 bits */
				*c = (struct seccomp_profile_cond){ 0, SECCOMP_PROFILE_EQ,
								    0xffffffff,
								    socket_calls[i].call };
				return "socketcall";
			}
	if (abi->ipc >= 0)
		for (size_t i = 0; i < sizeof(ipc_calls) / sizeof(ipc_calls[0]); i++)
			if (strcmp(ipc_calls[i].name, name) == 0) {
				/* ipc(unsigned int call, ...): the version is in the upper 16
				 * bits */
				*c = (struct seccomp_profile_cond){ 0, SECCOMP_PROFILE_EQ, 0xffff,
								    ipc_calls[i].call };
				return "ipc";
			}
	return NULL;
}

/* The 32-bit ABIs a kernel of `native` also runs. */
static size_t arch_compat(uint32_t native, uint32_t *out)
{
	switch (native) {
	case SCMP_ARCH_X86_64:
		out[0] = SCMP_ARCH_X86;
		out[1] = SCMP_ARCH_X32;
		return 2;
	case SCMP_ARCH_AARCH64:
		out[0] = SCMP_ARCH_ARM;
		return 1;
	case SCMP_ARCH_PPC64:
		out[0] = SCMP_ARCH_PPC;
		return 1;
	case SCMP_ARCH_S390X:
		out[0] = SCMP_ARCH_S390;
		return 1;
	case SCMP_ARCH_MIPS64:
		out[0] = SCMP_ARCH_MIPS;
		out[1] = SCMP_ARCH_MIPS64N32;
		return 2;
	case SCMP_ARCH_MIPSEL64:
		out[0] = SCMP_ARCH_MIPSEL;
		out[1] = SCMP_ARCH_MIPSEL64N32;
		return 2;
	case SCMP_ARCH_PARISC64:
		out[0] = SCMP_ARCH_PARISC;
		return 1;
	}
	return 0;
}

/* The profile's architectures for a kernel of `native`: `native` and `compat` resolved,
 * duplicates removed; no `arch` line means both. */
size_t seccomp_abi_resolve(const struct seccomp_profile *p, uint32_t native, uint32_t *out)
{
	static const uint32_t both[] = { SECCOMP_PROFILE_ARCH_NATIVE, SECCOMP_PROFILE_ARCH_COMPAT };
	const uint32_t *in = p->n_arches ? p->arches : both;
	size_t n_in = p->n_arches ? p->n_arches : 2, n = 0;

	for (size_t i = 0; i < n_in; i++) {
		uint32_t tmp[4];
		size_t nt = 1;

		if (in[i] == SECCOMP_PROFILE_ARCH_NATIVE)
			tmp[0] = native;
		else if (in[i] == SECCOMP_PROFILE_ARCH_COMPAT)
			nt = arch_compat(native, tmp);
		else
			tmp[0] = in[i];
		for (size_t k = 0; k < nt; k++) {
			size_t j;

			for (j = 0; j < n; j++)
				if (out[j] == tmp[k])
					break;
			if (j == n && n < SECCOMP_PROFILE_MAX_ARCHES)
				out[n++] = tmp[k];
		}
	}
	return n;
}

uint32_t seccomp_abi_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return SCMP_ARCH_X32;
#elif defined(__x86_64__)
	return SCMP_ARCH_X86_64;
#elif defined(__i386__)
	return SCMP_ARCH_X86;
#elif defined(__aarch64__)
	return SCMP_ARCH_AARCH64;
#elif defined(__arm__)
	return SCMP_ARCH_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
	return SCMP_ARCH_RISCV64;
#elif defined(__s390x__)
	return SCMP_ARCH_S390X;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return SCMP_ARCH_PPC64LE;
#elif defined(__powerpc64__)
	return SCMP_ARCH_PPC64;
#else
	return seccomp_arch_native();
#endif
}
