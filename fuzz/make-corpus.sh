#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/<target>/ (committed; small).
#
#   fuzz/make-corpus.sh
#
# Seeds come from:
#   - the sample captures, samples/*.pcap (project-made), up to 64 KiB each;
#   - the RFC 4475 torture messages, ../shared/torture/*.dat (RFC text: may be
#     copied), for sipframe and sipmsg, and wrapped in UDP in one capture;
#   - SIP call flows written here (answered, busy, cancelled, challenged,
#     forked, REGISTER, OPTIONS), shaped for each target: messages joined by
#     the sipmsg separator, a TCP byte stream, TCP segments in the
#     tcpstream target's format (in order, cut small, retransmitted,
#     overlapping, out of order, with a gap, wrapping the sequence number),
#     and synthetic captures (Ethernet, VLAN, SLL, raw IP, loopback, IPv6,
#     pcapng, TCP, IPv4 fragments, truncated records), and IP fragments in
#     the defrag target's format.
# The third-party captures in ../shared/captures are NOT copied (their
# licences vary; see their README): fuzz-ci.sh adds the small ones to its
# working corpus at run time, and CTest replays them all (fuzz.capture.shared).
#
# Old generated seeds are replaced; regression inputs (files named
# regress-*) are kept. Needs python3 (only this developer script does).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SLS_SHARED_DIR:-$ROOT/../shared}
CORPUS=$HERE/corpus
MAX_SEED=65536

for t in capture sipframe sipmsg tcpstream defrag; do
  mkdir -p "$CORPUS/$t"
  find "$CORPUS/$t" -maxdepth 1 -type f ! -name 'regress-*' -delete
done

# Sample captures made by the project.
shopt -s nullglob
for f in "$ROOT"/samples/*.pcap "$ROOT"/samples/*.pcapng; do
  if [ "$(stat -c %s "$f")" -le $MAX_SEED ]; then
    cp "$f" "$CORPUS/capture/sample-$(basename "$f")"
  fi
done
# RFC 4475 messages, byte for byte.
for f in "$SHARED"/torture/*.dat; do
  cp "$f" "$CORPUS/sipframe/torture-$(basename "$f" .dat)"
  cp "$f" "$CORPUS/sipmsg/torture-$(basename "$f" .dat)"
done
shopt -u nullglob

python3 - "$CORPUS" "$SHARED/torture" <<'PY'
import os, struct, sys

corpus, torture_dir = sys.argv[1], sys.argv[2]

def put(target, name, data):
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)

CRLF = "\r\n"
A, B = "192.0.2.10", "198.51.100.20"

def msg(start, headers, body=""):
    lines = [start] + headers
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body.encode()))
    return (CRLF.join(lines) + CRLF + CRLF + body).encode()

SDP = CRLF.join(["v=0", "o=alice 2890844526 2890844526 IN IP4 %s" % A, "s=-",
                 "c=IN IP4 %s" % A, "t=0 0", "m=audio 49170 RTP/AVP 0 8 101",
                 "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"]) + CRLF

def req(method, cid, cseq, branch, to_tag="", cseq_method=None, extra=(), body="",
        uri="sip:bob@example.com", transport="UDP"):
    hdrs = ["Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%s;rport" % (transport, A, branch),
            "Max-Forwards: 70",
            "From: \"Alice\" <sip:alice@example.com>;tag=a1b2c3",
            "To: <sip:bob@example.com>" + (";tag=" + to_tag if to_tag else ""),
            "Call-ID: " + cid,
            "CSeq: %d %s" % (cseq, cseq_method or method),
            "Contact: <sip:alice@%s:5060>" % A,
            "User-Agent: seedphone/1.0"] + list(extra)
    return msg("%s %s SIP/2.0" % (method, uri), hdrs, body)

def resp(code, reason, method, cid, cseq, branch, to_tag="", extra=(), body="",
         transport="UDP"):
    hdrs = ["Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%s;rport=5060" % (transport, A, branch),
            "From: \"Alice\" <sip:alice@example.com>;tag=a1b2c3",
            "To: <sip:bob@example.com>" + (";tag=" + to_tag if to_tag else ""),
            "Call-ID: " + cid,
            "CSeq: %d %s" % (cseq, method),
            "Server: seedpbx/2.0"] + list(extra)
    return msg("SIP/2.0 %d %s" % (code, reason), hdrs, body)

# Each flow: a list of (direction, message); 0 = A->B (requests), 1 = B->A.
def flows(transport="UDP"):
    T = dict(transport=transport)
    f = {}
    c = "answered-1@seed"
    f["answered"] = [
        (0, req("INVITE", c, 1, "inv1", body=SDP, **T)),
        (1, resp(100, "Trying", "INVITE", c, 1, "inv1", **T)),
        (1, resp(180, "Ringing", "INVITE", c, 1, "inv1", "b1", **T)),
        (1, resp(200, "OK", "INVITE", c, 1, "inv1", "b1", body=SDP, **T)),
        (0, req("ACK", c, 1, "ack1", "b1", **T)),
        (0, req("BYE", c, 2, "bye1", "b1", **T)),
        (1, resp(200, "OK", "BYE", c, 2, "bye1", "b1", **T)),
    ]
    c = "busy-1@seed"
    f["busy"] = [
        (0, req("INVITE", c, 1, "bsy1", body=SDP, **T)),
        (0, req("INVITE", c, 1, "bsy1", body=SDP, **T)),  # retransmission
        (1, resp(486, "Busy Here", "INVITE", c, 1, "bsy1", "b2",
                 extra=["Reason: Q.850;cause=17;text=\"User busy\"",
                        "Retry-After: 60"], **T)),
        (1, resp(486, "Busy Here", "INVITE", c, 1, "bsy1", "b2", **T)),
        (0, req("ACK", c, 1, "bsy1", "b2", **T)),
    ]
    c = "cancel-1@seed"
    f["cancel"] = [
        (0, req("INVITE", c, 1, "can1", body=SDP, **T)),
        (1, resp(183, "Session Progress", "INVITE", c, 1, "can1", "b3", body=SDP, **T)),
        (0, req("CANCEL", c, 1, "can1", **T)),
        (1, resp(200, "OK", "CANCEL", c, 1, "can1", "b3", **T)),
        (1, resp(487, "Request Terminated", "INVITE", c, 1, "can1", "b3", **T)),
        (0, req("ACK", c, 1, "can1", "b3", **T)),
    ]
    c = "auth-1@seed"
    f["auth"] = [
        (0, req("INVITE", c, 1, "au1", body=SDP, **T)),
        (1, resp(407, "Proxy Authentication Required", "INVITE", c, 1, "au1", "p1",
                 extra=["Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"abc\""], **T)),
        (0, req("ACK", c, 1, "au1", "p1", **T)),
        (0, req("INVITE", c, 2, "au2", body=SDP,
                extra=["Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", "
                       "nonce=\"abc\", uri=\"sip:bob@example.com\", response=\"0123\""], **T)),
        (1, resp(403, "Forbidden", "INVITE", c, 2, "au2", "p2",
                 extra=["Warning: 399 pbx \"bad credentials\""], **T)),
        (0, req("ACK", c, 2, "au2", "p2", **T)),
    ]
    c = "fork-1@seed"
    f["fork"] = [
        (0, req("INVITE", c, 1, "frk1", body=SDP, **T)),
        (1, resp(180, "Ringing", "INVITE", c, 1, "frk1", "x1", **T)),
        (1, resp(180, "Ringing", "INVITE", c, 1, "frk1", "x2", **T)),
        (1, resp(200, "OK", "INVITE", c, 1, "frk1", "x2", body=SDP, **T)),
        (1, resp(200, "OK", "INVITE", c, 1, "frk1", "x1", body=SDP, **T)),
        (0, req("ACK", c, 1, "ackx2", "x2", **T)),
        (0, req("BYE", c, 2, "byex1", "x1", **T)),
        (1, resp(200, "OK", "BYE", c, 2, "byex1", "x1", **T)),
    ]
    c = "reg-1@seed"
    f["register"] = [
        (0, req("REGISTER", c, 1, "reg1", uri="sip:example.com",
                extra=["Expires: 3600"], **T)),
        (1, resp(401, "Unauthorized", "REGISTER", c, 1, "reg1", "r1",
                 extra=["WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n\""], **T)),
        (0, req("REGISTER", c, 2, "reg2", uri="sip:example.com",
                extra=["Authorization: Digest username=\"alice\", response=\"ff\""], **T)),
        (1, resp(200, "OK", "REGISTER", c, 2, "reg2", "r1", **T)),
        (0, req("OPTIONS", "opt-1@seed", 1, "opt1", uri="sip:example.com", **T)),
        (1, resp(200, "OK", "OPTIONS", "opt-1@seed", 1, "opt1", "o1", **T)),
    ]
    c = "noanswer-1@seed"
    f["noanswer"] = [
        (0, req("INVITE", c, 1, "na1", body=SDP, **T)),
        (1, resp(100, "Trying", "INVITE", c, 1, "na1", **T)),
        (0, req("MESSAGE", "msg-1@seed", 1, "msg1", **T)),
        (1, resp(503, "Service Unavailable", "MESSAGE", "msg-1@seed", 1, "msg1", "m1",
                 extra=["Retry-After: 30"], **T)),
    ]
    return f

UDP_FLOWS = flows()
TCP_FLOWS = flows("TCP")
SEP = b"\r\n%%\r\n"

# ---------------------------------------------------------------- sipframe
for name, fl in UDP_FLOWS.items():
    put("sipframe", "flow-%s-first" % name, fl[0][1])
    put("sipframe", "stream-%s" % name, b"\r\n\r\n".join(m for _, m in fl))
for name, fl in TCP_FLOWS.items():
    put("sipframe", "stream-tcp-%s" % name, b"".join(m for _, m in fl))
put("sipframe", "compact-form",
    b"INVITE sip:b@example.com SIP/2.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bKc\r\n"
    b"f: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: cf@seed\r\n"
    b"CSeq: 1 INVITE\r\nc: text/plain\r\nl: 4\r\n\r\nbodyINVITE sip:b SIP/2.0\r\n")
put("sipframe", "folded-lf-only",
    b"SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bKf\nSubject: a\n  folded\n\tline\n"
    b"Call-ID: lf@seed\nCSeq: 1 OPTIONS\nContent-Length:   0  \n\n")

# ------------------------------------------------------------------ sipmsg
for name, fl in UDP_FLOWS.items():
    put("sipmsg", "flow-%s" % name, SEP.join(m for _, m in fl))
put("sipmsg", "flow-all", SEP.join(m for fl in UDP_FLOWS.values() for _, m in fl))

# --------------------------------------------------------------- tcpstream
def seg(flags, direction, conn, delta, payload, jump=False, v6=False):
    b1 = direction | (conn << 1) | (8 if jump else 0) | (16 if v6 else 0)
    return struct.pack(">BBhH", flags, b1, delta, len(payload)) + payload

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10

def tcp_stream(fl, conn=0, cut=None, handshake=True):
    out = b""
    if handshake:
        out += seg(SYN, 0, conn, 0, b"") + seg(SYN | ACK, 1, conn, 0, b"")
    for d, m in fl:
        if cut is None:
            out += seg(PSH | ACK, d, conn, 0, m)
        else:
            for i in range(0, len(m), cut):
                out += seg(ACK, d, conn, 0, m[i:i + cut])
    return out

ans = TCP_FLOWS["answered"]
put("tcpstream", "in-order", b"\0" + tcp_stream(ans) + seg(FIN | ACK, 0, 0, 0, b""))
put("tcpstream", "cut-97", b"\0" + tcp_stream(ans, cut=97))
put("tcpstream", "tiny-limits", b"\1" + tcp_stream(ans, cut=500))
whole = b"".join(m for _, m in TCP_FLOWS["busy"])
put("tcpstream", "one-segment-many-messages", b"\0" + seg(PSH | ACK, 0, 0, 0, whole))
put("tcpstream", "midstream-no-syn",
    b"\0" + seg(ACK, 0, 1, 0, b"xx garbage\r\n" + whole[40:]) + seg(ACK, 0, 1, 0, whole))
# Retransmission and overlap: the second copy starts 50 bytes back.
m0, m1 = ans[0][1], ans[3][1]
put("tcpstream", "retransmit-overlap",
    b"\0" + seg(SYN, 0, 0, 0, b"") + seg(ACK, 0, 0, 0, m0[:300]) +
    seg(ACK, 0, 0, -300, m0[:300]) + seg(ACK, 0, 0, -50, m0[250:]) + seg(ACK, 0, 0, 0, m1))
# Out of order: the second half arrives first.
h = len(m0) // 2
put("tcpstream", "out-of-order",
    b"\0" + seg(ACK, 0, 2, h, m0[h:]) + seg(ACK, 0, 2, -len(m0), m0[:h]) +
    seg(ACK, 1, 2, 0, m1))
# A gap never filled: the stream must resync at the next start line.
put("tcpstream", "gap-resync",
    b"\0" + seg(ACK, 0, 3, 0, m0[:100]) + seg(ACK, 0, 3, 200, m0[300:]) +
    seg(ACK, 0, 3, 0, ans[4][1]) + seg(ACK, 0, 3, 0, ans[5][1]))
put("tcpstream", "rst-then-idle",
    b"\0" + seg(ACK, 0, 0, 0, m0[:200]) + seg(RST, 0, 0, 0, b"") +
    seg(ACK, 1, 1, 0, m1[:100], jump=True) + seg(ACK, 1, 1, 0, m1[100:]))
put("tcpstream", "ipv6-four-connections",
    b"\0" + b"".join(tcp_stream(TCP_FLOWS[n], conn=i, cut=700)
                     for i, n in enumerate(["cancel", "auth", "fork", "register"])))
put("tcpstream", "keepalives-and-huge-cl",
    b"\0" + seg(ACK, 0, 0, 0, b"\r\n\r\n" * 4) +
    seg(ACK, 0, 0, 0, m0.replace(b"Content-Length: ", b"Content-Length: 99999")) +
    seg(ACK, 0, 0, 0, b"\r\n"))
put("tcpstream", "websocket-ish",
    b"\0" + seg(ACK, 0, 0, 0, b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                b"Sec-WebSocket-Protocol: sip\r\n\r\n") +
    seg(ACK, 1, 0, 0, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n") +
    seg(ACK, 0, 0, 0, b"\x81\x7e" + struct.pack(">H", len(m0)) + m0))
put("tcpstream", "tls-hello", b"\0" + seg(ACK, 0, 0, 0, bytes.fromhex(
    "160301002e0100002a0303") + bytes(32) + b"\x00\x00\x02\x00\x2f\x01\x00"))

# ------------------------------------------------------------------ defrag
def frag(dgram, off8, payload, more, v6=False, jump=False, tcp=False, src2=False, idb=0):
    b0 = dgram | (4 if v6 else 0) | (8 if more else 0) | (16 if jump else 0) | \
         (32 if tcp else 0) | (64 if src2 else 0)
    return struct.pack(">BHHB", b0, off8, len(payload), idb) + payload

dg = b"\x13\xc4\x13\xc4\x0b\xb8\x00\x00" + UDP_FLOWS["answered"][0][1]
dg = dg + b" " * (-len(dg) % 8)
parts = [dg[i:i + 400] for i in range(0, len(dg), 400)]
def frags(order, **kw):
    out = b""
    for i in order:
        out += frag(0, i * 50, parts[i], i < len(parts) - 1, **kw)
    return out
put("defrag", "in-order", b"\0" + frags(range(len(parts))))
put("defrag", "reversed", b"\0" + frags(reversed(range(len(parts)))))
put("defrag", "ipv6-tcp", b"\0" + frags(range(len(parts)), v6=True, tcp=True))
put("defrag", "duplicate", b"\0" + frags([0, 0, 1, 1] + list(range(2, len(parts)))))
put("defrag", "overlap", b"\0" + frag(0, 0, parts[0], True) + frag(0, 25, parts[1], True) +
    frags(range(len(parts))))
put("defrag", "timeout-then-complete",
    b"\0" + frag(0, 0, parts[0], True) + frag(1, 0, parts[0], True, jump=True) +
    frags(range(len(parts))))
put("defrag", "interleaved-four",
    b"\0" + b"".join(frag(d, i * 50, parts[i], i < len(parts) - 1, src2=d & 1)
                     for i in range(len(parts)) for d in range(4)))
put("defrag", "tiny-limits", b"\1" + b"".join(frag(d, 0, parts[0], True) for d in range(4)) +
    frags(range(len(parts))))
put("defrag", "ping-of-death", b"\0" + frag(0, 0, parts[0], True) + frag(0, 8189, bytes(100), False))
put("defrag", "zero-length-and-odd", b"\0" + frag(0, 0, b"", True) + frag(0, 0, b"abc", True) +
    frag(0, 1, b"x" * 13, False))

# ----------------------------------------------------------------- capture
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(src, dst, proto, payload, ident=1, frag=0):
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64,
                    proto, 0, a, b)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

def ip6(proto, payload):
    a = bytes.fromhex("20010db8000000000000000000000010")
    b = bytes.fromhex("20010db8000000000000000000000020")
    return struct.pack("!IHBB", 0x60000000, len(payload), proto, 64) + a + b + payload

def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload

def tcp(sport, dport, seq, flags, payload):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload

def eth(l3, v6=False, vlan=()):
    h = bytes.fromhex("020000000002020000000001")
    for v in vlan:
        h += struct.pack("!HH", 0x8100, v)
    return h + struct.pack("!H", 0x86dd if v6 else 0x0800) + l3

def sll(l3):
    return struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0800) + l3

def pcap(linktype, frames, t0=1700000000, step_us=20000, snaplen=262144, cut=None):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)
    t = t0 * 1000000
    for f in frames:
        t += step_us
        cap = f if cut is None else f[:cut]
        out += struct.pack("<IIII", t // 1000000, t % 1000000, len(cap), len(f)) + cap
    return out

def pcapng(linktype, frames, t0=1700000000):
    def block(btype, body):
        body += bytes((4 - len(body) % 4) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 0))
    t = t0 * 1000000
    for f in frames:
        t += 20000
        out += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xffffffff, len(f), len(f)) + f)
    return out

def udp_frames(fl, wrap=lambda l3: eth(l3), v6=False):
    fr = []
    for d, m in fl:
        s, dd = (A, B) if d == 0 else (B, A)
        u = udp(5060, 5060, m)
        fr.append(wrap(ip6(17, u) if v6 else ip4(s, dd, 17, u)))
    return fr

allflows = [x for fl in UDP_FLOWS.values() for x in fl]
put("capture", "udp-ethernet-all-flows.pcap", pcap(1, udp_frames(allflows)))
put("capture", "udp-ethernet-answered.pcapng", pcapng(1, udp_frames(UDP_FLOWS["answered"])))
put("capture", "udp-vlan-qinq-busy.pcap",
    pcap(1, udp_frames(UDP_FLOWS["busy"], lambda l3: eth(l3, vlan=(0x0064, 0x00c8)))))
put("capture", "udp-sll-cancel.pcap", pcap(113, udp_frames(UDP_FLOWS["cancel"], sll)))
put("capture", "udp-rawip-auth.pcap", pcap(101, udp_frames(UDP_FLOWS["auth"], lambda l3: l3)))
put("capture", "udp-null-fork.pcap",
    pcap(0, udp_frames(UDP_FLOWS["fork"], lambda l3: struct.pack("<I", 2) + l3)))
put("capture", "udp-ipv6-register.pcap",
    pcap(1, udp_frames(UDP_FLOWS["register"], lambda l3: eth(l3, v6=True), v6=True)))
put("capture", "udp-snaplen-200-truncated.pcap",
    pcap(1, udp_frames(UDP_FLOWS["noanswer"]), snaplen=200, cut=200))
# Timer B and C: an INVITE left alone for minutes of capture time.
na = udp_frames(UDP_FLOWS["noanswer"][:2])
put("capture", "udp-timers-minutes-apart.pcap", pcap(1, na + na, step_us=100 * 1000000))
# TCP: one connection, messages cut across segments.
fr, seq = [], {0: 1000, 1: 9000}
fr.append(eth(ip4(A, B, 6, tcp(40000, 5060, seq[0] - 1, SYN, b""))))
for d, m in TCP_FLOWS["answered"]:
    s, dd, sp, dp = (A, B, 40000, 5060) if d == 0 else (B, A, 5060, 40000)
    for i in range(0, len(m), 400):
        fr.append(eth(ip4(s, dd, 6, tcp(sp, dp, seq[d], ACK | PSH, m[i:i + 400]))))
        seq[d] += len(m[i:i + 400])
put("capture", "tcp-answered-segmented.pcap", pcap(1, fr))
# IPv4 fragments of one INVITE (1480-byte fragments), then the rest of the call.
inv = udp(5060, 5060, UDP_FLOWS["answered"][0][1] + b" " * 1600)
frags = []
for off in range(0, len(inv), 1480):
    more = 0x2000 if off + 1480 < len(inv) else 0
    frags.append(eth(ip4(A, B, 17, inv[off:off + 1480], ident=77, frag=more | (off // 8))))
put("capture", "udp-ipv4-fragments.pcap",
    pcap(1, frags + udp_frames(UDP_FLOWS["answered"][1:])))
# Every RFC 4475 message as one UDP datagram.
tort = []
for n in sorted(os.listdir(torture_dir)) if os.path.isdir(torture_dir) else []:
    if n.endswith(".dat"):
        with open(os.path.join(torture_dir, n), "rb") as f:
            tort.append(eth(ip4(A, B, 17, udp(5060, 5060, f.read()))))
if tort:
    put("capture", "udp-rfc4475-torture.pcap", pcap(1, tort))
# Cut in the middle of a record.
full = pcap(1, udp_frames(UDP_FLOWS["busy"]))
put("capture", "truncated-record.pcap", full[:len(full) - 37])
PY

du -sh "$CORPUS"
for t in capture sipframe sipmsg tcpstream defrag; do
  echo "$t: $(find "$CORPUS/$t" -type f | wc -l) seeds"
done
