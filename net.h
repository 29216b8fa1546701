/* net: the network namespace's loopback. Called by the setup child after pivot_root. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

/* Bring "lo" up (the kernel then adds 127.0.0.1/8 and ::1). Dies on failure. */
void net_child_loopback_up(void);

#endif
