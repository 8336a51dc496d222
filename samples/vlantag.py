#!/usr/bin/env python3
"""Load a tc eBPF program that pushes or pops VLAN tags, pin it on a bpf fs.

    vlantag.py push PIN TAG...    push the TAGs on every frame (in this order:
                                  the last one pushed is the outermost)
    vlantag.py pop PIN TAG...     pop as many tags as TAGs are given
    TAG: 802.1Q:VID or 802.1ad:VID

Used by make-samples.sh for vlan.pcap and vlan_qinq.pcap: this machine's
kernel has no 802.1Q support (CONFIG_VLAN_8021Q is not set), so
"ip link add ... type vlan" fails; instead a tc clsact filter on each end of
the veth pair tags every outgoing frame (bpf_skb_vlan_push, as a VLAN device
with tag offload does) and untags every incoming one (bpf_skb_vlan_pop), so
the frames on the veth link carry real 802.1Q / 802.1ad tags. The program is
a handful of raw eBPF instructions (no compiler needed), loaded with the
bpf(2) system call and pinned at PIN, where tc can attach it with
"tc filter add dev DEV egress bpf direct-action object-pinned PIN".
x86-64 Linux only (system call number).
"""
import ctypes
import os
import struct
import sys

SYS_BPF = 321                    # x86-64
BPF_PROG_LOAD, BPF_OBJ_PIN = 5, 6
BPF_PROG_TYPE_SCHED_CLS = 3
FUNC_SKB_VLAN_PUSH, FUNC_SKB_VLAN_POP = 18, 19
TC_ACT_OK = 0
PROTOS = {"802.1Q": 0x8100, "802.1ad": 0x88a8}

# eBPF opcodes: mov64 imm, mov64 reg, call helper, exit
MOV64_IMM, MOV64_REG, CALL, EXIT = 0xb7, 0xbf, 0x85, 0x95


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def program(op, tags):
    p = [insn(MOV64_REG, 6, 1)]                      # r6 = skb (r1 at entry)
    for proto, vid in tags:
        p.append(insn(MOV64_REG, 1, 6))              # r1 = skb
        if op == "push":
            be16 = int.from_bytes(struct.pack(">H", proto), "little")
            p += [insn(MOV64_IMM, 2, imm=be16),      # r2 = htons(proto)
                  insn(MOV64_IMM, 3, imm=vid),       # r3 = VLAN id (TCI)
                  insn(CALL, imm=FUNC_SKB_VLAN_PUSH)]
        else:
            p.append(insn(CALL, imm=FUNC_SKB_VLAN_POP))
    p += [insn(MOV64_IMM, 0, imm=TC_ACT_OK), insn(EXIT)]
    return b"".join(p)


def bpf(libc, cmd, attr):
    buf = ctypes.create_string_buffer(attr.ljust(128, b"\0"), 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def main(argv):
    if len(argv) < 3 or argv[0] not in ("push", "pop"):
        print(__doc__, file=sys.stderr)
        return 2
    op, pin = argv[0], argv[1]
    tags = []
    for t in argv[2:]:
        proto, vid = t.split(":")
        tags.append((PROTOS[proto], int(vid)))
    libc = ctypes.CDLL(None, use_errno=True)
    code = program(op, tags)
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack("<IIQQIIQ", BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
                       ctypes.addressof(insns), ctypes.addressof(lic),
                       1, len(log), ctypes.addressof(log))
    try:
        fd = bpf(libc, BPF_PROG_LOAD, attr)
    except OSError as e:
        sys.exit("vlantag: BPF_PROG_LOAD: %s\n%s" % (e, log.value.decode()))
    path = ctypes.create_string_buffer(pin.encode())
    try:
        bpf(libc, BPF_OBJ_PIN, struct.pack("<QI", ctypes.addressof(path), fd))
    except OSError as e:
        sys.exit("vlantag: BPF_OBJ_PIN %s: %s" % (pin, e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
