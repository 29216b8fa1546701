/* seccomp: raw BPF programs (bubblewrap's --seccomp and --add-seccomp-fd). The kernel
 * runs every installed filter and takes the most restrictive answer, so the programs keep
 * their command-line order (seccomp(2), "Filter return values"). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "seccomp.h"

int seccomp_read_programs(const struct int_list *fds, struct seccomp_set *out, struct error *err)
{
	out->progs = fds->n ? xcalloc(fds->n, sizeof(*out->progs)) : NULL;
	out->n = 0;
	for (unsigned i = 0; i < fds->n; i++) {
		char *data = NULL;
		size_t len = 0;

		int r = read_all_fd(fds->v[i], &data, &len);
		int e = errno;

		/* Consumed: like bubblewrap, the program's fd does not reach the command. */
		close(fds->v[i]);
		if (r < 0) {
			return error_set_errno(err, e, msg(MSG_SECCOMP_FD_READ), fds->v[i]);
		}
		if (len % 8 != 0) {
			free(data);
			return error_set(err, "%s", msg(MSG_SECCOMP_DATA_LENGTH));
		}
		/* bubblewrap takes an empty program here and the kernel refuses it when it is
		 * loaded (EINVAL: "Unable to set up system call filtering"); the hutch face
		 * refuses it now, before anything runs. */
		if (len == 0 && face->refuse_empty_seccomp) {
			free(data);
			return error_set(err,
					 "cannot read the seccomp program from fd %d: it is empty",
					 fds->v[i]);
		}
		out->progs[out->n].insns = data;
		out->progs[out->n].len = len / 8;
		out->n++;
	}
	return 0;
}

void seccomp_child_load(const struct seccomp_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sock_fprog prog = {
			.len = (unsigned short)set->progs[i].len,
			.filter = set->progs[i].insns,
		};
		if (set->progs[i].len > 0xffff) {
			errno = EINVAL;
			die_errno(msg(MSG_SECCOMP_LOAD), i + 1);
		}
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
			if (errno == EINVAL)
				die(msg(MSG_SECCOMP_EINVAL), i + 1);
			die_errno(msg(MSG_SECCOMP_LOAD), i + 1);
		}
	}
}

uint64_t seccomp_set_digest(const struct seccomp_set *set)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < set->n; i++) {
		uint64_t len = set->progs[i].len;
		const unsigned char *b = set->progs[i].insns;
		size_t size = set->progs[i].len * sizeof(struct sock_filter);
		for (size_t k = 0; k < sizeof(len); k++)
			h = (h ^ (unsigned char)(len >> (8 * k))) * 0x100000001b3ULL;
		for (size_t k = 0; k < size; k++)
			h = (h ^ b[k]) * 0x100000001b3ULL;
	}
	return h;
}

/* This build's own ABI as the kernel reports it in seccomp_data.arch; 0 when not known here
 * (or shared with another ABI, as x32 is; or 32-bit, where glibc calls mmap2 and fcntl64
 * rather than the calls a caller would name), which makes seccomp_set_allows say no. */
static uint32_t native_audit_arch(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__) && !defined(__ILP32__)
	return AUDIT_ARCH_AARCH64;
#elif defined(__riscv) && __riscv_xlen == 64
	return AUDIT_ARCH_RISCV64;
#elif defined(__s390x__)
	return AUDIT_ARCH_S390X;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return AUDIT_ARCH_PPC64LE;
#else
	return 0;
#endif
}

int seccomp_bpf_run(const void *insns, size_t len, const struct seccomp_data *d, uint32_t *verdict,
		    bool *read_args)
{
	const struct sock_filter *f = insns;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	if (read_args)
		*read_args = false;

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (i->code == (BPF_LD | BPF_W | BPF_ABS) && i->k % 4 == 0 &&
			    i->k < sizeof(*d)) {
				memcpy(&a, (const char *)d + i->k, 4);
				if (read_args &&
				    i->k >= offsetof(struct seccomp_data, instruction_pointer))
					*read_args = true;
			} else if (i->code == (BPF_LD | BPF_IMM))
				a = i->k;
			else if (i->code == (BPF_LD | BPF_MEM) && i->k < BPF_MEMWORDS)
				a = mem[i->k];
			else
				return -1;
			break;
		case BPF_LDX:
			if (i->code == (BPF_LDX | BPF_IMM))
				x = i->k;
			else if (i->code == (BPF_LDX | BPF_MEM) && i->k < BPF_MEMWORDS)
				x = mem[i->k];
			else
				return -1;
			break;
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				return -1;
			mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			default:
				return -1;
			}
			break;
		case BPF_JMP: {
			bool t;

			switch (BPF_OP(i->code)) {
			case BPF_JA:
				pc += i->k;
				continue;
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return -1;
			}
			pc += t ? i->jt : i->jf;
			break;
		}
		case BPF_RET:
			*verdict = BPF_RVAL(i->code) == BPF_A ? a : i->k;
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return -1;
		}
	}
	return -1; /* fell off the end: the kernel rejects such programs */
}

bool seccomp_set_allows(const struct seccomp_set *set, const struct seccomp_call *calls, size_t n)
{
	uint32_t arch = native_audit_arch();

	if (!arch || set->n != 1 || !set->first_is_profile)
		return false;
	for (size_t c = 0; c < n; c++) {
		struct seccomp_data d = { .nr = calls[c].nr, .arch = arch };

		for (int k = 0; k < 6; k++)
			d.args[k] = calls[c].args[k];
		uint32_t verdict;

		bool read_args;

		/* A verdict that depended on the arguments holds for these ones only. */
		if (seccomp_bpf_run(set->progs[0].insns, set->progs[0].len, &d, &verdict,
				    &read_args) < 0 ||
		    verdict != SECCOMP_RET_ALLOW || read_args)
			return false;
	}
	return true;
}
