# fish completion for hutch. The options and the number of words each takes come from the
# binary's own --help ("--bind SRC DEST" takes 2); shipped profile names after
# --seccomp-profile and --seccomp-show, capability names after --cap-add and --cap-drop,
# files otherwise; from the command word on, the command and its own arguments.

set -g __hutch_caps ALL CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND \
    CAP_BPF CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER \
    CAP_FSETID CAP_IPC_LOCK CAP_IPC_OWNER CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN \
    CAP_MAC_OVERRIDE CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW \
    CAP_PERFMON CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYSLOG CAP_SYS_ADMIN \
    CAP_SYS_BOOT CAP_SYS_CHROOT CAP_SYS_MODULE CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE \
    CAP_SYS_RAWIO CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_WAKE_ALARM

# "NAME N" per option of hutch: N words of arguments.
function __hutch_arity
    for line in (command hutch --help 2>/dev/null)
        set -l m (string match -r -- '^ +--([a-z0-9][a-z0-9-]*)((?: [A-Z][A-Z0-9_|=:.\[\]]*)*)' $line)
        or continue
        echo $m[2] (count (string split -n ' ' -- $m[3]))
    end
end

# The index of the command word in the current command line (1 is hutch), if it has begun.
function __hutch_command_index
    set -l words (commandline -opc)
    set -l table (__hutch_arity)
    set -l i 2
    while test $i -le (count $words)
        set -l w $words[$i]
        if test "$w" = --
            math $i + 1
            return 0
        else if string match -q -- '--*' $w
            set -l n 0
            for row in $table
                set -l f (string split ' ' -- $row)
                if test "--$f[1]" = "$w"
                    set n $f[2]
                    break
                end
            end
            set i (math $i + 1 + $n)
        else
            echo $i
            return 0
        end
    end
    # The word being typed is the command when it is no option's argument nor an option.
    if test $i -eq (math (count $words) + 1); and not string match -q -- '-*' (commandline -ct)
        echo $i
        return 0
    end
    return 1
end

function __hutch_in_command
    __hutch_command_index >/dev/null
end

# The completions of the command line from the command word on, as fish completes it alone.
function __hutch_command_args
    set -l i (__hutch_command_index)
    set -l words (commandline -opc)
    set -l sub
    if test $i -le (count $words)
        set sub (string escape -- $words[$i..-1])
    end
    complete -C (string join ' ' -- $sub (commandline -ct))
end

complete -c hutch -n __hutch_in_command -f -a '(__hutch_command_args)'
for row in (__hutch_arity)
    set -l f (string split ' ' -- $row)
    switch $f[1]
        case seccomp-profile seccomp-show
            complete -c hutch -n 'not __hutch_in_command' -l $f[1] -r -F \
                -a '(command hutch --seccomp-list 2>/dev/null | string replace -r "\t.*" "")'
        case cap-add cap-drop
            complete -c hutch -n 'not __hutch_in_command' -l $f[1] -x -a "$__hutch_caps"
        case '*'
            if test $f[2] -gt 0
                complete -c hutch -n 'not __hutch_in_command' -l $f[1] -r -F
            else
                complete -c hutch -n 'not __hutch_in_command' -l $f[1]
            end
    end
end
