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
		die_errno(FACE_MSG("cannot create a socket to set up loopback",
				   "Failed to create socket"));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die_errno(
			FACE_MSG("cannot read the flags of 'lo'", "loopback: Failed to get flags"));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die_errno(FACE_MSG("cannot bring up 'lo'", "loopback: Failed RTM_NEWLINK"));
}
