#!/usr/bin/env python3
"""Count the SIP traffic of a capture, independently of sipsleuth.

Reads a pcap with tshark and prints the facts that samples/expected.tsv and
samples/README.md state for every sample:

    sipcount.py FILE.pcap [NAME]          rows "NAME<TAB>key<TAB>value"
    sipcount.py --calls FILE.pcap         one line per Call-ID (for README)
    sipcount.py --frames FILE.pcap        the SIP messages of each frame that
                                          completes at least one

Definitions (the same as in README.md):
  * retransmission: a request seen again with the same Call-ID, top Via
    branch, CSeq number and method; or a response seen again with the same
    Call-ID, top Via branch, CSeq (number and method) and status code.
  * transaction: keyed by Call-ID, top Via branch and CSeq method, where an
    ACK whose branch matches an INVITE transaction belongs to it (ACK of a
    non-2xx final response); any other ACK (ACK of a 2xx) is no transaction.
    Its bucket is the class of its first final response (2xx..6xx), else
    1xx_only if it got provisional responses only, else no_final.
  * call: a Call-ID carrying at least one INVITE. Call-IDs with only
    non-INVITE requests (OPTIONS, REGISTER) are counted in call_ids only.
  * outcome of a call: answered if any INVITE transaction got a 2xx; else
    from the final response of the call's last INVITE transaction:
      none or 408 -> no_answer; 487 after a CANCEL of the call -> cancelled;
      401/407 (or 403 to a retry with credentials) -> auth_failed;
      3xx -> redirected; 486/600 -> busy;
      404/604/410/484 -> not_found; 480/503 -> unavailable; 403/603/607/608
      -> rejected; any other -> failed.
  * challenged: an INVITE transaction of the call other than its last one
    got a final 401 or 407 (the UAC retried with credentials).
"""
import collections
import json
import struct
import subprocess
import sys

LINKTYPES = {1: "EN10MB", 113: "LINUX_SLL", 276: "LINUX_SLL2", 101: "RAW",
             0: "NULL", 228: "IPV4"}

def link_type(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
    magic = struct.unpack("<I", hdr[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    lt = struct.unpack(endian + "I", hdr[20:24])[0] & 0x0FFFFFFF
    return LINKTYPES.get(lt, "LINKTYPE_%d" % lt)


def tshark(args):
    return subprocess.run(["tshark"] + args, check=True, capture_output=True,
                          text=True).stdout


def _flatten(node, acc):
    """Collect every field of a tshark JSON subtree: name -> values, in
    document order (so the first sip.Via.branch is the top Via's)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                acc.setdefault(k, []).append(v)
            elif isinstance(v, list) and all(isinstance(x, str) for x in v):
                acc.setdefault(k, []).extend(v)
            else:
                _flatten(v, acc)
    elif isinstance(node, list):
        for x in node:
            _flatten(x, acc)


def read_messages(path):
    """Every SIP message of the capture, in capture order. A frame can hold
    several messages (a TCP segment carrying more than one); a message that
    spans several TCP segments or IP fragments is reported once, by tshark,
    in the frame that completes it."""
    out = tshark(["-r", path, "-Y", "sip", "-T", "json",
                  "--no-duplicate-keys", "-J", "frame sip"])
    msgs = []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        when = float(layers["frame"].get("frame.time_epoch", "0"))
        sips = layers["sip"]
        for sip in sips if isinstance(sips, list) else [sips]:
            f = {}
            _flatten(sip, f)
            first = lambda k: f[k][0] if k in f else ""
            if not first("sip.Call-ID") or not first("sip.CSeq.seq"):
                sys.exit("%s: frame %d: SIP message without Call-ID or CSeq"
                         % (path, frame))
            msgs.append({
                "frame": frame,
                "time": when,
                "method": first("sip.Method"),
                "code": int(first("sip.Status-Code") or 0),
                "cseq": int(first("sip.CSeq.seq")),
                "cseq_method": first("sip.CSeq.method"),
                "call_id": first("sip.Call-ID"),
                "branch": first("sip.Via.branch"),
            })
    return msgs


def analyse(path):
    times = tshark(["-r", path, "-T", "fields", "-e", "frame.time_epoch"]).split()
    packets = len(times)
    end = max((float(x) for x in times), default=0.0)
    msgs = read_messages(path)
    req = collections.Counter()
    resp = collections.Counter()
    seen_req, seen_resp = set(), set()
    rtx_req = rtx_resp = 0
    txns = collections.OrderedDict()   # (call, branch, method) -> info
    for m in msgs:
        if m["method"]:
            req[m["method"]] += 1
            key = (m["call_id"], m["branch"], m["cseq"], m["method"])
            if key in seen_req:
                rtx_req += 1
            seen_req.add(key)
            if m["method"] == "ACK":
                t = txns.get((m["call_id"], m["branch"], "INVITE"))
                if t is not None:
                    t["ack"] = True
                continue
            tk = (m["call_id"], m["branch"], m["method"])
            txns.setdefault(tk, {"method": m["method"], "call": m["call_id"],
                                 "prov": False, "final": None, "ack": False,
                                 "start": m["time"], "last_prov": None})
        else:
            resp[m["code"]] += 1
            key = (m["call_id"], m["branch"], m["cseq"], m["cseq_method"],
                   m["code"])
            if key in seen_resp:
                rtx_resp += 1
            seen_resp.add(key)
            t = txns.get((m["call_id"], m["branch"], m["cseq_method"]))
            if t is None:
                sys.exit("%s: frame %d: response without its request"
                         % (path, m["frame"]))
            if m["code"] < 200:
                t["prov"] = True
                t["last_prov"] = m["time"]
            elif t["final"] is None:
                t["final"] = m["code"]

    calls = collections.OrderedDict()
    call_ids = []
    for m in msgs:
        if m["call_id"] not in call_ids:
            call_ids.append(m["call_id"])
    for cid in call_ids:
        invs = [t for t in txns.values()
                if t["call"] == cid and t["method"] == "INVITE"]
        if not invs:
            continue
        cancelled = any(t["call"] == cid and t["method"] == "CANCEL"
                        for t in txns.values())
        last = invs[-1]["final"]
        challenged = any(t["final"] in (401, 407) for t in invs[:-1])
        if any(t["final"] and 200 <= t["final"] < 300 for t in invs):
            outcome = "answered"
        elif last is None and cancelled:
            outcome = "cancelled"
        elif last is None:
            # RFC 3261 Timer B (32 s) without a provisional, Timer C (180 s)
            # after the last one; a capture that ends first: in_progress.
            t = invs[-1]
            expired = (end - t["last_prov"] >= 180 if t["last_prov"] is not None
                       else end - t["start"] >= 32)
            outcome = "no_answer" if expired else "in_progress"
        elif last == 408:
            outcome = "no_answer"
        elif last == 487 and cancelled:
            outcome = "cancelled"
        elif last in (401, 407) or (last == 403 and challenged):
            outcome = "auth_failed"
        elif 300 <= last < 400:
            outcome = "redirected"
        elif last in (486, 600):
            outcome = "busy"
        elif last in (404, 604, 410, 484):
            outcome = "not_found"
        elif last in (480, 503):
            outcome = "unavailable"
        elif last in (403, 603, 607, 608):
            outcome = "rejected"
        else:
            outcome = "failed"
        seq = " ".join(m["method"] or str(m["code"]) for m in msgs
                       if m["call_id"] == cid)
        calls[cid] = {"outcome": outcome, "challenged": challenged,
                      "seq": seq}

    rows = [("link_type", link_type(path)), ("packets", packets),
            ("sip_messages", len(msgs)),
            ("retransmissions", rtx_req + rtx_resp)]
    for meth in sorted(req):
        rows.append(("request:" + meth, req[meth]))
    for code in sorted(resp):
        rows.append(("response:%d" % code, resp[code]))
    by_method = collections.OrderedDict()
    for t in txns.values():
        by_method.setdefault(t["method"], collections.Counter())
        f = t["final"]
        b = ("%dxx" % (f // 100)) if f else ("1xx_only" if t["prov"]
                                             else "no_final")
        by_method[t["method"]][b] += 1
    for meth in sorted(by_method):
        c = by_method[meth]
        rows.append(("txn:%s:total" % meth, sum(c.values())))
        for b in ("1xx_only", "2xx", "3xx", "4xx", "5xx", "6xx", "no_final"):
            if c[b]:
                rows.append(("txn:%s:%s" % (meth, b), c[b]))
    rows.append(("calls", len(calls)))
    rows.append(("call_ids", len(call_ids)))
    rows.append(("challenged", sum(1 for c in calls.values()
                                   if c["challenged"])))
    oc = collections.Counter(c["outcome"] for c in calls.values())
    for o in sorted(oc):
        rows.append(("outcome:" + o, oc[o]))
    extra = {"rtx_req": rtx_req, "rtx_resp": rtx_resp, "txns": txns,
             "calls": calls, "call_ids": call_ids, "msgs": msgs}
    return rows, extra


def main(argv):
    if len(argv) == 2 and argv[0] == "--frames":
        by_frame = collections.OrderedDict()
        for m in read_messages(argv[1]):
            by_frame.setdefault(m["frame"], []).append(
                m["method"] or str(m["code"]))
        for frame, names in by_frame.items():
            print("%d\t%s" % (frame, " ".join(names)))
        return 0
    if len(argv) >= 2 and argv[0] == "--calls":
        rows, extra = analyse(argv[1])
        print("retransmitted requests: %d, responses: %d"
              % (extra["rtx_req"], extra["rtx_resp"]))
        for cid in extra["call_ids"]:
            c = extra["calls"].get(cid)
            seq = " ".join(m["method"] or str(m["code"])
                           for m in extra["msgs"] if m["call_id"] == cid)
            if c:
                print("%s\t%s%s\t%s" % (cid, c["outcome"],
                                        " (challenged)" if c["challenged"]
                                        else "", seq))
            else:
                print("%s\t(not a call)\t%s" % (cid, seq))
        for (cid, br, meth), t in extra["txns"].items():
            print("txn %s %s %s final=%s" % (cid, br, meth,
                                             t["final"] or "none"))
        return 0
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    name = argv[1] if len(argv) == 2 else argv[0].rsplit("/", 1)[-1] \
        .rsplit(".", 1)[0]
    rows, _ = analyse(argv[0])
    for k, v in rows:
        print("%s\t%s\t%s" % (name, k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
