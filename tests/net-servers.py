# net-servers.py: the servers tests/test-net.sh runs on the host's loopback (or in a network
# namespace it made): "tcp PORT WORD" answers every connection with WORD; "dns PORT NAME ADDR"
# answers A queries for NAME with ADDR (NXDOMAIN for others). Prints "ready" once listening.
import socket
import struct
import sys


def tcp(port, word):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(word.encode() + b"\n")
        finally:
            c.close()


def dns(port, name, addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    print("ready", flush=True)
    while True:
        q, peer = s.recvfrom(512)
        qid, _flags, qd = struct.unpack(">HHH", q[:6])
        i, labels = 12, []
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode())
            i += 1 + q[i]
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        question = q[12:i + 5]
        found = ".".join(labels).lower() == name and qtype == 1
        flags = 0x8180 if found else 0x8183
        r = struct.pack(">HHHHHH", qid, flags, 1, 1 if found else 0, 0, 0) + question
        if found:
            r += struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(addr)
        s.sendto(r, peer)


if sys.argv[1] == "tcp":
    tcp(int(sys.argv[2]), sys.argv[3])
else:
    dns(int(sys.argv[2]), sys.argv[3], sys.argv[4])
