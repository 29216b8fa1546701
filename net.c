/* net: loopback up through SIOCSIFFLAGS on a datagram socket: no external `ip`, no netlink
 * message building (netdevice(7)). */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

void net_child_loopback_up(void)
{
	struct ifreq ifr;
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die_errno(msg(MSG_LOOPBACK_SOCKET));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die_errno(msg(MSG_LOOPBACK_FLAGS));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die_errno(msg(MSG_LOOPBACK_UP));
}
