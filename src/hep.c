/* HEP v1, v2 and v3 decoding. See hep.h. */
#include "hep.h"

#include "cursor.h"
#include "sipsleuth/error.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* v1/v2 fixed header (Kamailio sipcapture hep.h, struct hep_hdr): version,
 * header length, address family, IP protocol, source and destination port
 * (network order), then the two addresses. hp_l covers those two parts. */
#define HEP12_HDR_LEN 8u
#define HEP12_LEN_V4 (HEP12_HDR_LEN + 8u)
#define HEP12_LEN_V6 (HEP12_HDR_LEN + 32u)
/* v2 then has struct hep_timehdr: tv_sec and tv_usec as 32-bit words in the
 * sender's byte order (little-endian on every agent in use; Kamailio reads
 * them with to_le()), a 16-bit capture id, and 2 bytes of padding, since the
 * struct is not packed: 12 bytes. */
#define HEP2_TIME_LEN 12u

#define HEP3_HDR_LEN 6u   /* "HEP3", total length */
#define HEP3_CHUNK_HDR 6u /* vendor, type, length (header included) */

/* HEP3 generic chunk types (vendor 0). */
enum {
    HEP3_IP_FAMILY = 1,
    HEP3_IP_PROTO = 2,
    HEP3_SRC_IP4 = 3,
    HEP3_DST_IP4 = 4,
    HEP3_SRC_IP6 = 5,
    HEP3_DST_IP6 = 6,
    HEP3_SRC_PORT = 7,
    HEP3_DST_PORT = 8,
    HEP3_TS_SEC = 9,
    HEP3_TS_USEC = 10,
    HEP3_PROTO_TYPE = 11,
    HEP3_PAYLOAD = 15,
    HEP3_PAYLOAD_ZIP = 16
};
#define HEP_PROTO_TYPE_SIP 1u

/* Address families as agents write them: AF_INET is 2 everywhere; AF_INET6
 * is the sending host's value (Linux 10; the BSDs and macOS as in
 * decode.c). */
#define HEP_AF_INET 2u

struct sls__hep_inflater {
    z_stream z;
    uint8_t out[SLS__HEP_MAX_INFLATED];
};

void sls__hep_inflater_free(sls__hep_inflater *z)
{
    if (z == NULL)
        return;
    inflateEnd(&z->z);
    free(z);
}

static int is_af_inet6(unsigned af)
{
    return af == 10 || af == 24 || af == 28 || af == 30;
}

/* IP protocol numbers to what the SIP stages know. 22 (IDP) is what
 * Kamailio, OpenSIPS and captagent write for SIP over TLS, whose payload
 * they send decrypted: it was carried by TCP. */
static int hep_transport(unsigned proto, uint8_t *t)
{
    switch (proto) {
    case 17:
        *t = SLS_TRANSPORT_UDP;
        return 0;
    case 6:
    case 22:
        *t = SLS_TRANSPORT_TCP;
        return 0;
    case 132:
        *t = SLS_TRANSPORT_SCTP;
        return 0;
    default:
        return SLS_EINVAL;
    }
}

static uint32_t le32_at(const sls__cur *c, size_t off)
{
    uint32_t be = sls__cur_be32_at(c, off);
    return (be >> 24) | ((be >> 8) & 0xFF00u) | ((be << 8) & 0xFF0000u) |
           (be << 24);
}

/* ---- v1 and v2 ------------------------------------------------------------ */

/* Header length of a valid v1/v2 datagram (payload after it), or 0. */
static size_t hep12_header(const sls__cur *c)
{
    if (!sls__cur_has(c, 0, HEP12_HDR_LEN))
        return 0;
    unsigned v = sls__cur_u8_at(c, 0);
    unsigned hl = sls__cur_u8_at(c, 1);
    unsigned af = sls__cur_u8_at(c, 2);
    uint8_t t;
    if ((v != 1 && v != 2) || hep_transport(sls__cur_u8_at(c, 3), &t) != 0)
        return 0;
    if (!((af == HEP_AF_INET && hl == HEP12_LEN_V4) ||
          (is_af_inet6(af) && hl == HEP12_LEN_V6)))
        return 0;
    size_t n = hl + (v == 2 ? HEP2_TIME_LEN : 0);
    /* Something must follow, and a v2 time must be a time. */
    if (!sls__cur_has(c, 0, n + 1))
        return 0;
    if (v == 2 && le32_at(c, hl + 4) >= 1000000u)
        return 0;
    return n;
}

static int hep12_decode(const sls__cur *c, sls__hep *m)
{
    size_t n = hep12_header(c);
    if (n == 0)
        return SLS_EINVAL;
    unsigned hl = sls__cur_u8_at(c, 1);
    size_t alen = hl == HEP12_LEN_V4 ? 4 : 16;
    m->version = sls__cur_u8_at(c, 0);
    (void)hep_transport(sls__cur_u8_at(c, 3), &m->transport);
    m->sport = sls__cur_be16_at(c, 4);
    m->dport = sls__cur_be16_at(c, 6);
    m->src.family = m->dst.family = alen == 4 ? 4 : 6;
    (void)sls__cur_copy_at(c, HEP12_HDR_LEN, m->src.bytes, alen);
    (void)sls__cur_copy_at(c, HEP12_HDR_LEN + alen, m->dst.bytes, alen);
    if (m->version == 2) {
        m->has_ts = 1;
        m->ts_ns = (int64_t)le32_at(c, hl) * 1000000000 +
                   (int64_t)le32_at(c, hl + 4) * 1000;
    }
    m->payload = sls__cur_ptr(c) + n;
    m->payload_len = sls__cur_remaining(c) - n;
    return 0;
}

/* ---- v3 ------------------------------------------------------------------- */

static int is_hep3(const sls__cur *c)
{
    uint8_t magic[4];
    return sls__cur_copy_at(c, 0, magic, 4) == 0 &&
           memcmp(magic, "HEP3", 4) == 0;
}

unsigned sls__hep_detect(const uint8_t *p, size_t len)
{
    sls__cur c = sls__cur_make(p, len);
    if (is_hep3(&c))
        return 3;
    if (hep12_header(&c) != 0)
        return sls__cur_u8_at(&c, 0);
    return 0;
}

/* Inflates a compressed payload chunk; zlib or gzip framing (agents use
 * zlib's compress(); windowBits 15 + 32 accepts both). */
static int inflate_payload(sls__hep_inflater **zp, const uint8_t *in,
                           size_t in_len, const uint8_t **out, size_t *out_len)
{
    sls__hep_inflater *z = *zp;
    if (z == NULL) {
        z = calloc(1, sizeof(*z));
        if (z == NULL)
            return SLS_ENOMEM;
        if (inflateInit2(&z->z, 15 + 32) != Z_OK) {
            free(z);
            return SLS_ENOMEM;
        }
        *zp = z;
    } else if (inflateReset(&z->z) != Z_OK) {
        return SLS_EINVAL;
    }
    /* zlib's own types: its next_in is not const in 1.2.13. */
    z->z.next_in = (Bytef *)(uintptr_t)in;
    z->z.avail_in = (uInt)in_len;
    z->z.next_out = z->out;
    z->z.avail_out = sizeof(z->out);
    int rc = inflate(&z->z, Z_FINISH);
    /* Z_BUF_ERROR with no room left is a payload over the cap; anything but
     * a complete stream is an error either way. */
    if (rc != Z_STREAM_END || z->z.total_out == 0)
        return SLS_EINVAL;
    *out = z->out;
    *out_len = z->z.total_out;
    return 0;
}

struct hep3_fields {
    unsigned family, proto, proto_type;
    uint8_t have; /* bits below */
    uint8_t src4[4], dst4[4], src6[16], dst6[16];
    uint16_t sport, dport;
    uint32_t sec, usec;
    sls__cur payload;
    int zipped;
};
#define HAVE_FAMILY 0x01u
#define HAVE_PROTO 0x02u
#define HAVE_PORTS 0x04u /* both: bit set when the second arrives */
#define HAVE_SEC 0x08u
#define HAVE_USEC 0x10u
#define HAVE_TYPE 0x20u
#define HAVE_PAYLOAD 0x40u

/* Value length a generic chunk type must have, or 0 for any. */
static size_t hep3_value_len(unsigned type)
{
    switch (type) {
    case HEP3_IP_FAMILY:
    case HEP3_IP_PROTO:
    case HEP3_PROTO_TYPE:
        return 1;
    case HEP3_SRC_PORT:
    case HEP3_DST_PORT:
        return 2;
    case HEP3_SRC_IP4:
    case HEP3_DST_IP4:
    case HEP3_TS_SEC:
    case HEP3_TS_USEC:
        return 4;
    case HEP3_SRC_IP6:
    case HEP3_DST_IP6:
        return 16;
    default:
        return 0;
    }
}

static int hep3_chunks(const sls__cur *c, struct hep3_fields *h)
{
    unsigned ports = 0, addrs4 = 0, addrs6 = 0;
    size_t off = HEP3_HDR_LEN;
    while (off < c->len) {
        if (!sls__cur_has(c, off, HEP3_CHUNK_HDR))
            return SLS_EINVAL;
        unsigned vendor = sls__cur_be16_at(c, off);
        unsigned type = sls__cur_be16_at(c, off + 2);
        size_t clen = sls__cur_be16_at(c, off + 4);
        if (clen < HEP3_CHUNK_HDR || !sls__cur_has(c, off, clen))
            return SLS_EINVAL;
        sls__cur v;
        (void)sls__cur_slice(c, off + HEP3_CHUNK_HDR, clen - HEP3_CHUNK_HDR,
                             &v);
        off += clen;
        if (vendor != 0)
            continue; /* vendor chunks: not ours to read */
        size_t want = hep3_value_len(type);
        if (want != 0 && v.len != want)
            return SLS_EINVAL;
        switch (type) {
        case HEP3_IP_FAMILY:
            h->family = sls__cur_u8_at(&v, 0);
            h->have |= HAVE_FAMILY;
            break;
        case HEP3_IP_PROTO:
            h->proto = sls__cur_u8_at(&v, 0);
            h->have |= HAVE_PROTO;
            break;
        case HEP3_SRC_IP4:
            (void)sls__cur_copy_at(&v, 0, h->src4, 4);
            addrs4 |= 1;
            break;
        case HEP3_DST_IP4:
            (void)sls__cur_copy_at(&v, 0, h->dst4, 4);
            addrs4 |= 2;
            break;
        case HEP3_SRC_IP6:
            (void)sls__cur_copy_at(&v, 0, h->src6, 16);
            addrs6 |= 1;
            break;
        case HEP3_DST_IP6:
            (void)sls__cur_copy_at(&v, 0, h->dst6, 16);
            addrs6 |= 2;
            break;
        case HEP3_SRC_PORT:
            h->sport = sls__cur_be16_at(&v, 0);
            ports |= 1;
            break;
        case HEP3_DST_PORT:
            h->dport = sls__cur_be16_at(&v, 0);
            ports |= 2;
            break;
        case HEP3_TS_SEC:
            h->sec = sls__cur_be32_at(&v, 0);
            h->have |= HAVE_SEC;
            break;
        case HEP3_TS_USEC:
            h->usec = sls__cur_be32_at(&v, 0);
            h->have |= HAVE_USEC;
            break;
        case HEP3_PROTO_TYPE:
            h->proto_type = sls__cur_u8_at(&v, 0);
            h->have |= HAVE_TYPE;
            break;
        case HEP3_PAYLOAD:
        case HEP3_PAYLOAD_ZIP:
            /* Two payloads: which one is the message? */
            if ((h->have & HAVE_PAYLOAD) != 0)
                return SLS_EINVAL;
            h->payload = v;
            h->zipped = type == HEP3_PAYLOAD_ZIP;
            h->have |= HAVE_PAYLOAD;
            break;
        default:
            break; /* capture id, auth key, correlation id, ... */
        }
    }
    if (ports == 3)
        h->have |= HAVE_PORTS;
    /* The family chunk says which pair of addresses to use. */
    if ((h->have & HAVE_FAMILY) != 0 &&
        !((h->family == HEP_AF_INET && addrs4 == 3) ||
          (is_af_inet6(h->family) && addrs6 == 3)))
        h->have &= (uint8_t)~HAVE_FAMILY;
    return 0;
}

static int hep3_decode(sls__hep_inflater **zp, sls__cur c, sls__hep *m,
                       enum sls_counter *why)
{
    *why = SLS_CTR_HEP_BAD;
    size_t total = sls__cur_be16_at(&c, 4);
    /* One HEP packet per datagram: the total length is the datagram. */
    if (!sls__cur_has(&c, 0, HEP3_HDR_LEN) || total != c.len)
        return SLS_EINVAL;
    struct hep3_fields h;
    memset(&h, 0, sizeof(h));
    if (hep3_chunks(&c, &h) != 0)
        return SLS_EINVAL;
    if ((h.have & HAVE_TYPE) == 0)
        return SLS_EINVAL;
    if (h.proto_type != HEP_PROTO_TYPE_SIP) {
        *why = SLS_CTR_HEP_NOT_SIP;
        return SLS_EINVAL;
    }
    const uint8_t need = HAVE_FAMILY | HAVE_PROTO | HAVE_PORTS | HAVE_PAYLOAD;
    if ((h.have & need) != need || hep_transport(h.proto, &m->transport) != 0)
        return SLS_EINVAL;
    if ((h.have & HAVE_SEC) != 0) {
        if (h.usec >= 1000000u)
            return SLS_EINVAL;
        m->has_ts = 1;
        m->ts_ns = (int64_t)h.sec * 1000000000 + (int64_t)h.usec * 1000;
    }
    m->version = 3;
    m->sport = h.sport;
    m->dport = h.dport;
    if (h.family == HEP_AF_INET) {
        m->src.family = m->dst.family = 4;
        memcpy(m->src.bytes, h.src4, 4);
        memcpy(m->dst.bytes, h.dst4, 4);
    } else {
        m->src.family = m->dst.family = 6;
        memcpy(m->src.bytes, h.src6, 16);
        memcpy(m->dst.bytes, h.dst6, 16);
    }
    if (h.payload.len == 0)
        return SLS_EINVAL;
    if (!h.zipped) {
        m->payload = h.payload.p;
        m->payload_len = h.payload.len;
        return 0;
    }
    int rc = inflate_payload(zp, h.payload.p, h.payload.len, &m->payload,
                             &m->payload_len);
    if (rc != 0)
        *why = SLS_CTR_HEP_ZLIB_ERROR;
    return rc;
}

int sls__hep_decode(sls__hep_inflater **zp, const uint8_t *p, size_t len,
                    sls__hep *m, enum sls_counter *why)
{
    memset(m, 0, sizeof(*m));
    sls__cur c = sls__cur_make(p, len);
    if (is_hep3(&c))
        return hep3_decode(zp, c, m, why);
    *why = SLS_CTR_HEP_BAD;
    return hep12_decode(&c, m);
}
