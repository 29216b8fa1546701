/* seccomp-names: the names of error numbers and architectures in seccomp profiles
 * (hutch-seccomp(5)), both ways. Pure tables, apart from asking libseccomp for the
 * architecture names it knows. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "seccomp-names.h"
#include "util.h"

/* --- errno names -------------------------------------------------------------------------- */

#define E(x)          \
	{             \
#x, x \
	}
static const struct {
	const char *name;
	int num;
} errno_table[] = {
	E(EPERM),
	E(ENOENT),
	E(ESRCH),
	E(EINTR),
	E(EIO),
	E(ENXIO),
	E(E2BIG),
	E(ENOEXEC),
	E(EBADF),
	E(ECHILD),
	E(EAGAIN),
	E(ENOMEM),
	E(EACCES),
	E(EFAULT),
	E(ENOTBLK),
	E(EBUSY),
	E(EEXIST),
	E(EXDEV),
	E(ENODEV),
	E(ENOTDIR),
	E(EISDIR),
	E(EINVAL),
	E(ENFILE),
	E(EMFILE),
	E(ENOTTY),
	E(ETXTBSY),
	E(EFBIG),
	E(ENOSPC),
	E(ESPIPE),
	E(EROFS),
	E(EMLINK),
	E(EPIPE),
	E(EDOM),
	E(ERANGE),
	E(EDEADLK),
	E(ENAMETOOLONG),
	E(ENOLCK),
	E(ENOSYS),
	E(ENOTEMPTY),
	E(ELOOP),
	E(ENOMSG),
	E(EIDRM),
	E(ECHRNG),
	E(EL2NSYNC),
	E(EL3HLT),
	E(EL3RST),
	E(ELNRNG),
	E(EUNATCH),
	E(ENOCSI),
	E(EL2HLT),
	E(EBADE),
	E(EBADR),
	E(EXFULL),
	E(ENOANO),
	E(EBADRQC),
	E(EBADSLT),
	E(EBFONT),
	E(ENOSTR),
	E(ENODATA),
	E(ETIME),
	E(ENOSR),
	E(ENONET),
	E(ENOPKG),
	E(EREMOTE),
	E(ENOLINK),
	E(EADV),
	E(ESRMNT),
	E(ECOMM),
	E(EPROTO),
	E(EMULTIHOP),
	E(EDOTDOT),
	E(EBADMSG),
	E(EOVERFLOW),
	E(ENOTUNIQ),
	E(EBADFD),
	E(EREMCHG),
	E(ELIBACC),
	E(ELIBBAD),
	E(ELIBSCN),
	E(ELIBMAX),
	E(ELIBEXEC),
	E(EILSEQ),
	E(ERESTART),
	E(ESTRPIPE),
	E(EUSERS),
	E(ENOTSOCK),
	E(EDESTADDRREQ),
	E(EMSGSIZE),
	E(EPROTOTYPE),
	E(ENOPROTOOPT),
	E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT),
	E(EOPNOTSUPP),
	E(EPFNOSUPPORT),
	E(EAFNOSUPPORT),
	E(EADDRINUSE),
	E(EADDRNOTAVAIL),
	E(ENETDOWN),
	E(ENETUNREACH),
	E(ENETRESET),
	E(ECONNABORTED),
	E(ECONNRESET),
	E(ENOBUFS),
	E(EISCONN),
	E(ENOTCONN),
	E(ESHUTDOWN),
	E(ETOOMANYREFS),
	E(ETIMEDOUT),
	E(ECONNREFUSED),
	E(EHOSTDOWN),
	E(EHOSTUNREACH),
	E(EALREADY),
	E(EINPROGRESS),
	E(ESTALE),
	E(EUCLEAN),
	E(ENOTNAM),
	E(ENAVAIL),
	E(EISNAM),
	E(EREMOTEIO),
	E(EDQUOT),
	E(ENOMEDIUM),
	E(EMEDIUMTYPE),
	E(ECANCELED),
	E(ENOKEY),
	E(EKEYEXPIRED),
	E(EKEYREVOKED),
	E(EKEYREJECTED),
	E(EOWNERDEAD),
	E(ENOTRECOVERABLE),
	E(ERFKILL),
	E(EHWPOISON),
	E(EWOULDBLOCK),
	E(EDEADLOCK),
	E(ENOTSUP),
};
#undef E

int seccomp_names_parse_errno(const char *s)
{
	long v;

	if (isdigit((unsigned char)s[0]))
		return parse_int(s, 0, 4095, &v) == 0 ? (int)v : -2;
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (strcasecmp(s, errno_table[i].name) == 0)
			return errno_table[i].num;
	return -1;
}

const char *seccomp_names_errno(int num)
{
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].num == num)
			return errno_table[i].name;
	return NULL;
}

/* --- architectures -------------------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t token;
} arch_aliases[] = {
	{ "native", SECCOMP_PROFILE_ARCH_NATIVE },
	{ "compat", SECCOMP_PROFILE_ARCH_COMPAT },
	{ "i386", SCMP_ARCH_X86 },
	{ "i486", SCMP_ARCH_X86 },
	{ "i586", SCMP_ARCH_X86 },
	{ "i686", SCMP_ARCH_X86 },
	{ "amd64", SCMP_ARCH_X86_64 },
	{ "arm64", SCMP_ARCH_AARCH64 },
};

uint32_t seccomp_names_parse_arch(const char *s)
{
	for (size_t i = 0; i < sizeof(arch_aliases) / sizeof(arch_aliases[0]); i++)
		if (strcmp(s, arch_aliases[i].name) == 0)
			return arch_aliases[i].token;
	/* 0 is also "unknown" for libseccomp, and never a real architecture. */
	return seccomp_arch_resolve_name(s);
}

const char *seccomp_names_arch(uint32_t token)
{
	static const struct {
		uint32_t token;
		const char *name;
	} names[] = {
		{ SECCOMP_PROFILE_ARCH_NATIVE, "native" },
		{ SECCOMP_PROFILE_ARCH_COMPAT, "compat" },
		{ SCMP_ARCH_X86, "x86" },
		{ SCMP_ARCH_X86_64, "x86_64" },
		{ SCMP_ARCH_X32, "x32" },
		{ SCMP_ARCH_ARM, "arm" },
		{ SCMP_ARCH_AARCH64, "aarch64" },
		{ SCMP_ARCH_MIPS, "mips" },
		{ SCMP_ARCH_MIPS64, "mips64" },
		{ SCMP_ARCH_MIPS64N32, "mips64n32" },
		{ SCMP_ARCH_MIPSEL, "mipsel" },
		{ SCMP_ARCH_MIPSEL64, "mipsel64" },
		{ SCMP_ARCH_MIPSEL64N32, "mipsel64n32" },
		{ SCMP_ARCH_PPC, "ppc" },
		{ SCMP_ARCH_PPC64, "ppc64" },
		{ SCMP_ARCH_PPC64LE, "ppc64le" },
		{ SCMP_ARCH_S390, "s390" },
		{ SCMP_ARCH_S390X, "s390x" },
		{ SCMP_ARCH_PARISC, "parisc" },
		{ SCMP_ARCH_PARISC64, "parisc64" },
		{ SCMP_ARCH_RISCV64, "riscv64" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].token == token)
			return names[i].name;
	return "unknown";
}
