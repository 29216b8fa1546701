# Allows every system call: no filter is loaded
#
# --seccomp-profile none turns the hutch face's default profile off.

arch native compat
default allow
