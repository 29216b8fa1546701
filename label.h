/* label: SELinux labels of --exec-label and --file-label. Checked by the parent, applied by
 * the setup child. Without SELinux hutch acts as a bubblewrap built without SELinux. */
#ifndef HUTCH_LABEL_H
#define HUTCH_LABEL_H

#include <stdbool.h>

#include "util.h"

/* Is SELinux enabled on this machine (selinuxfs mounted)? */
bool label_selinux_enabled(void);

/* Parent: labels given but SELinux off -> bubblewrap's "labeling not supported on this
 * system"; a label the policy rejects -> "invalid label". 0 or -1 with err. */
int label_check(const char *exec_label, const char *file_label, struct error *err);

/* Child, just before exec: the command's SELinux context (procfd: our /proc/<pid>). */
void label_child_exec(const char *exec_label, int procfd);

#endif
