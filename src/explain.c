/* What SIP response codes mean, written for the engineer reading a failure
 * report rather than for a protocol stack.
 *
 * The table holds every code of the IANA "Response Codes" registry (SIP
 * Parameters) plus the two RFC 2543 codes that RFC 3261 dropped but that
 * old equipment still sends (409, 411). Reason phrases are the registry's,
 * not the variants seen on the wire ("Internal Server Error", "Session in
 * Progress", "Unsupported Certificate", ...): RFC 3261 7.2 lets a sender
 * write any phrase, so reports must key on the number.
 *
 * Everything is static const: the module keeps no state and allocates
 * nothing, so any thread or report may call it. */
#include "sipsleuth/explain.h"
#include "sipsleuth/error.h"

#include <stddef.h>

/* known=1 for every row; is_final follows from the number (RFC 3261 7.2:
 * only 1xx is provisional). */
#define ENTRY(c, k, obs, r, doc, m, ca, s)                                  \
    {                                                                      \
        .code = (c), .cls = (k), .is_final = (c) >= 200, .known = 1,       \
        .obsolete = (obs), .reason = (r), .rfc = (doc), .meaning = (m),    \
        .causes = (ca), .summary = (s)                                     \
    }

#define P SLS_CLASS_PROVISIONAL
#define S SLS_CLASS_SUCCESS
#define R SLS_CLASS_REDIRECTION
#define C SLS_CLASS_CLIENT_ERROR
#define E SLS_CLASS_SERVER_ERROR
#define G SLS_CLASS_GLOBAL_FAILURE

/* Sorted by code, strictly ascending: lookup is a binary search and the
 * unit test checks the order. */
static const sls_code_info code_table[] = {
    /* ---- 1xx: provisional ---- */
    ENTRY(100, P, 0, "Trying", "RFC 3261",
          "The next hop got the request and is working on it. It is a hop-by-hop "
          "answer: it proves only that the first proxy or the UAS received the "
          "INVITE, and it stops the caller's INVITE retransmissions.",
          "Normal. A call that stops after 100 with nothing else reached the "
          "first hop and went no further: look at that hop's routing, DNS/SRV "
          "lookups and the path toward the callee. No 100 at all means the "
          "INVITE may never have arrived: check the address, transport and "
          "firewalls.",
          "Request received by the next hop, still processing (100)."),
    ENTRY(180, P, 0, "Ringing", "RFC 3261",
          "The callee's device received the INVITE and is alerting the user. "
          "Without early media the caller's phone plays its own ringback tone.",
          "Normal. Silence at the caller after 180 means its phone does not "
          "generate local ringback, or the 180 carried SDP and the phone waits "
          "for early media that never flows. Ringing that ends in 408 or 480 "
          "means nobody answered before a no-answer timer fired.",
          "Callee's device is ringing (180)."),
    ENTRY(181, P, 0, "Call Is Being Forwarded", "RFC 3261",
          "A server on the path is forwarding the call to another target: call "
          "forwarding, a hunt group or voicemail.",
          "Informational. If forwarding was not expected, check the callee's "
          "forwarding settings (unconditional, busy, no answer) on the PBX or "
          "feature server. Repeated 181s followed by 482 or 483 point at a "
          "forwarding loop.",
          "Call forwarded to another destination by a server on the path (181)."),
    ENTRY(182, P, 0, "Queued", "RFC 3261",
          "The callee cannot take the call yet and a server has put it in a "
          "queue, as a contact-centre ACD does. Several 182s may report queue "
          "progress.",
          "Informational. A queued call that later ends in 408 or 480 ran out of "
          "time: check the queue timeout, the caller's no-answer timer and "
          "whether any agent was available.",
          "Call is waiting in a queue (182)."),
    ENTRY(183, P, 0, "Session Progress", "RFC 3261",
          "Call setup is progressing; usually the response carries SDP so the "
          "far end can play early media (ringback, announcements, IVR prompts) "
          "before the call is answered.",
          "Normal, above all from gateways and carriers. No or one-way audio "
          "during a 183 points at NAT, firewall or wrong c= addresses for early "
          "media. A 183 followed by an error usually means an announcement was "
          "played before the call failed; some routing engines stop trying "
          "other carriers once early media has started.",
          "Call setup in progress, often with early media (183)."),
    ENTRY(199, P, 0, "Early Dialog Terminated", "RFC 6228",
          "One early dialog has ended, typically one branch of a forked call, "
          "while the call may still succeed on other branches. Only sent when "
          "the caller announced Supported: 199.",
          "Seen with forking and parallel ringing: one branch rejected or was "
          "cancelled. Match the To-tag with the branch that ended; the outcome "
          "of the call is decided by the final response, not by the 199.",
          "One early dialog (forked branch) ended; call may go on (199)."),

    /* ---- 2xx: success ---- */
    ENTRY(200, S, 0, "OK", "RFC 3261",
          "The request succeeded. For an INVITE the call is answered, the SDP "
          "answer fixes the media, and the caller must send an ACK.",
          "Success. If an answered call still fails, check the ACK: a 200 "
          "retransmitted again and again means the ACK is not arriving (wrong "
          "Contact or Record-Route, NAT). One-way audio after 200 is an SDP or "
          "NAT problem. For REGISTER, check the expiry granted in Contact.",
          "Request succeeded (200)."),
    ENTRY(202, S, 0, "Accepted", "RFC 3265/6665",
          "The request was accepted but not yet acted on; historically the "
          "answer to SUBSCRIBE and REFER. Deprecated: RFC 6665 says to treat it "
          "exactly like 200, and RFC 7647 carries that over to REFER.",
          "Normal for call transfer (REFER) with many devices. A caller that "
          "behaves differently after 202 than after 200 is non-conforming. "
          "Whether a transfer worked shows in the NOTIFY messages that follow, "
          "not in this response.",
          "Request accepted; deprecated, same as 200 (202)."),
    ENTRY(204, S, 0, "No Notification", "RFC 5839",
          "A subscription refresh succeeded and the notifier will skip the "
          "usual NOTIFY, because the subscriber's cached state, named by its "
          "entity tag, is still current (conditional event notification).",
          "Normal with RFC 5839 conditional subscriptions. A problem only if the "
          "subscriber then shows stale state (presence, BLF, voicemail lamp): "
          "check the entity tag it sent in Suppress-If-Match.",
          "Subscription refreshed; no NOTIFY as state is unchanged (204)."),

    /* ---- 3xx: redirection ---- */
    ENTRY(300, R, 0, "Multiple Choices", "RFC 3261",
          "The target resolved to several addresses, listed in the Contact "
          "headers (or the body); the caller may try one or more of them.",
          "Redirect servers and routing or number-portability databases send "
          "it. If the call ends here, the caller's phone or proxy did not follow "
          "the redirect (many do not): check its redirect handling and whether "
          "the Contact URIs are reachable.",
          "Several possible destinations offered in Contact (300)."),
    ENTRY(301, R, 0, "Moved Permanently", "RFC 3261",
          "The user is no longer at the address dialled; the new address is in "
          "Contact and should replace the old one for good.",
          "Number or account migrated to another address. Check that the "
          "caller or its proxy follows the Contact, and update the directory "
          "entry or speed dial that keeps using the old address.",
          "User moved permanently; new address in Contact (301)."),
    ENTRY(302, R, 0, "Moved Temporarily", "RFC 3261",
          "The user can be reached at the Contact address for now; the caller "
          "may cache this for the Expires time. Redirect servers and some "
          "forwarding services route calls this way.",
          "Normal with redirect servers, number portability and forwarding. "
          "If the call stops at 302, the caller or SBC did not follow it: check "
          "its redirect settings and the Contact URI, and look for two servers "
          "redirecting to each other.",
          "Temporarily redirected; retry at the Contact address (302)."),
    ENTRY(305, R, 0, "Use Proxy", "RFC 3261",
          "The target must be reached through the proxy named in Contact. Only "
          "a UAS may send it.",
          "Rare. Usually the caller bypassed a proxy it is meant to use: check "
          "its outbound proxy setting. Devices are right to be wary of "
          "following it blindly, since it redirects all signalling.",
          "Destination must be reached through the proxy in Contact (305)."),
    ENTRY(380, R, 0, "Alternative Service", "RFC 3261",
          "The call failed, but the body describes other services that could "
          "work. In IMS networks it tells a phone to dial the number again as "
          "an emergency call.",
          "Read the body: it says what the alternative is. In mobile/IMS "
          "traces it normally means the network recognised an emergency number "
          "dialled as a normal call. Elsewhere it is rare: check the server's "
          "routing policy.",
          "Call failed, but the body offers an alternative service (380)."),

    /* ---- 4xx: client error ---- */
    ENTRY(400, C, 0, "Bad Request", "RFC 3261",
          "The receiver could not parse the request or found it malformed. The "
          "reason phrase or a Warning header often names the faulty header.",
          "Missing or malformed mandatory headers (Via, From/To, Call-ID, "
          "CSeq), invalid SDP, a wrong Content-Length, illegal characters in "
          "the Request-URI, or an SBC or router ALG that mangled the message. "
          "Compare the request with RFC 3261 syntax and read the Warning header "
          "and the reason phrase.",
          "Request malformed or unparsable by the receiver (400)."),
    ENTRY(401, C, 0, "Unauthorized", "RFC 3261",
          "A registrar or UAS wants credentials; WWW-Authenticate carries the "
          "digest challenge to answer.",
          "A 401 on the first attempt is a normal digest challenge, only a "
          "problem if the retry with credentials also fails. Then check the "
          "username, password and realm, an authentication user that differs "
          "from the From user, a stale nonce, and whether the retry carries an "
          "Authorization header at all.",
          "Authentication challenge (401); a fault only if the retry fails too."),
    ENTRY(402, C, 0, "Payment Required", "RFC 3261",
          "Reserved for future use by RFC 3261; in practice some providers "
          "send it when an account has no credit left.",
          "Check the account balance, prepaid credit or billing status with the "
          "provider. Treat it as a policy rejection: retrying will not help.",
          "Payment or credit required by the provider (402)."),
    ENTRY(403, C, 0, "Forbidden", "RFC 3261",
          "The request was understood and is refused on purpose; sending "
          "credentials will not change the answer.",
          "Call barring (international or premium numbers), a caller not "
          "allowed on this trunk, a source IP missing from the provider's "
          "access list, a disabled or suspended account, a From domain or "
          "caller ID the provider does not accept, or fraud protection. Check "
          "the permissions of this caller for this destination and read the "
          "reason phrase.",
          "Server refuses the request: policy, barring or account issue (403)."),
    ENTRY(404, C, 0, "Not Found", "RFC 3261",
          "No such user at this domain, or the domain in the Request-URI is "
          "not one this server handles.",
          "Check the dialled number and the routing table of the proxy: wrong "
          "or missing digits, a missing country or area prefix, E.164 versus "
          "national format, an extension that is not configured, or a "
          "Request-URI domain the server does not serve. Some systems also "
          "answer 404 for a known but unregistered user.",
          "Called user or number not found at this domain (404)."),
    ENTRY(405, C, 0, "Method Not Allowed", "RFC 3261",
          "The method is recognised but refused for this target; the Allow "
          "header lists the methods that are accepted.",
          "A device that refuses MESSAGE, SUBSCRIBE, REFER, UPDATE or INFO, a "
          "trunk that does not take REGISTER, or OPTIONS keep-alives sent to a "
          "device that blocks them. Compare the method with the Allow header.",
          "Method not allowed for this target; see the Allow header (405)."),
    ENTRY(406, C, 0, "Not Acceptable", "RFC 3261",
          "The server can only answer with content that the Accept headers of "
          "the request do not allow.",
          "Check Accept, Accept-Encoding and Accept-Language of the request "
          "against what the server can return (common with SUBSCRIBE bodies). "
          "Codec problems are not this: they give 488 or 606.",
          "Server cannot answer in a format the request accepts (406)."),
    ENTRY(407, C, 0, "Proxy Authentication Required", "RFC 3261",
          "Like 401 but from a proxy: Proxy-Authenticate carries the digest "
          "challenge and the retry must carry Proxy-Authorization.",
          "Normal on the first INVITE through a provider's proxy; a problem "
          "only if the retry is challenged again. Then check the trunk "
          "username, password and realm, and that the device answers with "
          "Proxy-Authorization rather than Authorization.",
          "Proxy wants credentials (407); a fault only if the retry fails too."),
    ENTRY(408, C, 0, "Request Timeout", "RFC 3261",
          "No final response could be produced in time: the user could not be "
          "located, or the next hop never answered and the proxy's transaction "
          "timer expired.",
          "The callee's device is unreachable: a stale registration for a "
          "phone that is gone, a closed NAT binding so the INVITE never "
          "arrives, a firewall dropping SIP, a large INVITE lost to UDP "
          "fragmentation, or nobody answering before the proxy's timer. Check "
          "whether the request reached the device and whether it replied.",
          "No response in time from the next hop or callee (408)."),
    ENTRY(409, C, 1, "Conflict", "RFC 2543",
          "An RFC 2543 code for a request that conflicts with current state, "
          "such as a registration already in place. RFC 3261 dropped it and "
          "IANA never registered it.",
          "Only old or non-conforming stacks send it. A conforming receiver "
          "handles it as 400 (RFC 3261 8.1.3.2). Check the vendor's "
          "documentation for which conflict it reports, often a duplicate "
          "registration.",
          "Obsolete RFC 2543 code: request conflicts with current state (409)."),
    ENTRY(410, C, 0, "Gone", "RFC 3261",
          "The user existed here once but is no longer available, and no "
          "forwarding address is known.",
          "Number or account deactivated, or ported away without a "
          "forwarding record. Check the dialled number with the callee or the "
          "carrier and update directories.",
          "User no longer exists here and has no forwarding address (410)."),
    ENTRY(411, C, 1, "Length Required", "RFC 2543",
          "An RFC 2543 code: the server insists on a Content-Length header and "
          "the request had none or a bad one. RFC 3261 dropped it and IANA "
          "never registered it.",
          "Sent by old stacks, mostly over TCP. Check that the request carries "
          "a correct Content-Length (mandatory on TCP and TLS anyway). A "
          "conforming receiver handles it as 400.",
          "Obsolete RFC 2543 code: Content-Length missing or invalid (411)."),
    ENTRY(412, C, 0, "Conditional Request Failed", "RFC 3903",
          "A PUBLISH refresh or update named an entity tag (SIP-If-Match) that "
          "the server no longer knows, usually because the publication "
          "expired.",
          "The publisher refreshed too late, or the presence server restarted "
          "and lost its state. The client should publish again from scratch "
          "without SIP-If-Match; check the publication expiry and refresh "
          "timing.",
          "PUBLISH names an unknown or expired entity tag (412)."),
    ENTRY(413, C, 0, "Request Entity Too Large", "RFC 3261",
          "The body of the request exceeds what the server will accept; a "
          "Retry-After is added when the limit is only temporary.",
          "Large SDP offers (many codecs, ICE candidates, video lines) or big "
          "multipart bodies (ISUP, location, XML). Trim the offer, or move "
          "large messages to TCP.",
          "Request body too large for the server (413)."),
    ENTRY(414, C, 0, "Request-URI Too Long", "RFC 3261",
          "The server refuses to process a Request-URI of this length.",
          "Many URI parameters added by a PBX or SBC, long tokens in the user "
          "part, or a loop that keeps appending to the URI. Compare the "
          "Request-URI with what the next hop accepts.",
          "Request-URI longer than the server accepts (414)."),
    ENTRY(415, C, 0, "Unsupported Media Type", "RFC 3261",
          "The message body has a format (Content-Type, encoding or language) "
          "the receiver does not accept; Accept, Accept-Encoding or "
          "Accept-Language in the response list what it would take.",
          "A body other than plain application/sdp: multipart with ISUP, XML "
          "or sipfrag, compressed bodies, or an INFO or MESSAGE payload the "
          "device does not know. This is about the body type, not the codecs: "
          "a codec mismatch gives 488 or 606.",
          "Message body type not supported by the receiver (415)."),
    ENTRY(416, C, 0, "Unsupported URI Scheme", "RFC 3261",
          "The Request-URI uses a scheme the server does not handle, such as "
          "tel:, sips: or something that is not a SIP URI at all.",
          "A phone dialling tel: URIs, or sips: toward a server that only takes "
          "sip:, or a broken URI from a dial-plan rewrite. Check the "
          "Request-URI scheme and the number-normalisation rules.",
          "Request-URI scheme (tel:, sips:, ...) not supported (416)."),
    ENTRY(417, C, 0, "Unknown Resource-Priority", "RFC 4412",
          "The request demanded priority handling, but the Resource-Priority "
          "header is missing or uses a namespace or value the server does not "
          "know.",
          "Priority calls (government emergency services, military precedence "
          "schemes) crossing a network that lacks those namespaces. Compare "
          "Resource-Priority with the Accept-Resource-Priority of the "
          "response.",
          "Resource-Priority namespace or value not understood (417)."),
    ENTRY(420, C, 0, "Bad Extension", "RFC 3261",
          "The request's Require or Proxy-Require header names an extension "
          "(option tag) the server does not support; the Unsupported header "
          "lists it.",
          "Typically Require: 100rel (PRACK), timer, replaces or precondition "
          "sent to equipment that lacks them. Move the tag from Require to "
          "Supported on the caller side, or enable the extension on the "
          "receiver.",
          "Required SIP extension not supported; see Unsupported (420)."),
    ENTRY(421, C, 0, "Extension Required", "RFC 3261",
          "The server needs an extension the request did not list in "
          "Supported; the Require header of the response names it.",
          "Usually 100rel (reliable provisional responses, RFC 3262), timer or "
          "precondition demanded by a gateway or carrier. Enable the named "
          "extension on the caller or on its SBC.",
          "Server requires an extension the caller did not offer (421)."),
    ENTRY(422, C, 0, "Session Interval Too Small", "RFC 4028",
          "The Session-Expires of the request is below the minimum the server "
          "accepts; Min-SE gives the smallest value allowed.",
          "Session timer set too short on the caller. The caller should retry "
          "with the Min-SE value; a string of 422s means it does not. Check "
          "the session-timer settings on both sides.",
          "Session-Expires below the server's minimum; see Min-SE (422)."),
    ENTRY(423, C, 0, "Interval Too Brief", "RFC 3261",
          "The expiry asked for, usually Expires of a REGISTER or SUBSCRIBE, "
          "is shorter than the server allows; Min-Expires gives the minimum.",
          "A phone set to a very short registration interval, often to keep a "
          "NAT binding open. The client should retry with Min-Expires; check "
          "its registration-expiry setting.",
          "Requested expiry too short; see Min-Expires (423)."),
    ENTRY(424, C, 0, "Bad Location Information", "RFC 6442",
          "The location conveyed with the request (Geolocation header, PIDF-LO "
          "body or a reference to one) is malformed or not good enough, "
          "typically for routing an emergency call.",
          "A broken or incomplete PIDF-LO, a location reference the server "
          "cannot fetch, or a location it will not route on. Read the "
          "Geolocation-Error header and validate the location body.",
          "Conveyed location missing, malformed or unusable (424)."),
    ENTRY(425, C, 0, "Bad Alert Message", "RFC 8876",
          "A non-interactive emergency call (an alert sent by a sensor or "
          "system, carrying a CAP message instead of a voice session) was "
          "rejected because its content is too broken to act on.",
          "A malformed or incomplete CAP body or missing mandatory alert "
          "fields. Read the AlertMsg-Error header and validate the CAP "
          "payload.",
          "Non-interactive emergency alert rejected as unusable (425)."),
    ENTRY(428, C, 0, "Use Identity Header", "RFC 4474/8224",
          "The server's policy demands a signed Identity header (STIR/SHAKEN "
          "caller authentication) and the request carried none it could use.",
          "The originating carrier did not sign the call, or an SBC on the way "
          "stripped the Identity header. Check signing at the originating "
          "network and header transparency across SBCs.",
          "Identity header (STIR/SHAKEN signature) required (428)."),
    ENTRY(429, C, 0, "Provide Referrer Identity", "RFC 3892",
          "The target of a transfer wanted the request to carry a valid, "
          "signed Referred-By token and did not get one.",
          "Call transfer toward equipment that insists on authenticated "
          "transfers. Check that the transferring party sends Referred-By with "
          "the token, or relax the policy on the target.",
          "Valid Referred-By token required for this transfer (429)."),
    ENTRY(430, C, 0, "Flow Failed", "RFC 5626",
          "Between proxies using SIP Outbound: the particular connection (flow) "
          "to the user agent has failed, though other flows may still work. "
          "An endpoint should never see it, and handles it as 400 if it does.",
          "The edge proxy lost its TCP or TLS connection to the phone, or "
          "keep-alives stopped. Check CRLF or STUN keep-alives, NAT timeouts, "
          "and whether the phone re-registers over another flow.",
          "Outbound flow to the user agent failed; others may work (430)."),
    ENTRY(433, C, 0, "Anonymity Disallowed", "RFC 5079",
          "The callee or its server does not accept anonymous requests "
          "(anonymous call rejection).",
          "The caller withheld its identity (Privacy: id, anonymous From). "
          "Check the caller-ID presentation settings of the caller and the "
          "anonymous-call-rejection service of the callee.",
          "Anonymous calls are rejected by the callee (433)."),
    ENTRY(436, C, 0, "Bad Identity Info", "RFC 4474/8224",
          "The verifier could not fetch or use the credential that the "
          "Identity header points to (its info parameter). RFC 4474 named this "
          "code 'Bad Identity-Info'.",
          "Certificate URL unreachable from the verifier, not HTTPS, wrong "
          "content type, or a certificate repository outage. Fetch the info "
          "URI of the Identity header from the verifier's network.",
          "Cannot fetch the credential that Identity points to (436)."),
    ENTRY(437, C, 0, "Unsupported Credential", "RFC 4474/8224",
          "The verifier obtained the signer's credential but cannot validate "
          "or use it. RFC 4474 named this code 'Unsupported Certificate'.",
          "Certificate not issued by a CA the verifier trusts, expired, "
          "revoked, or of an unsupported type. Check the chain against the "
          "verifier's trust store.",
          "Signer's credential cannot be validated by the verifier (437)."),
    ENTRY(438, C, 0, "Invalid Identity Header", "RFC 4474/8224",
          "The verifier has the credential but the Identity signature does not "
          "verify, or its signed claims do not match the request (numbers, "
          "time).",
          "An intermediary changed the From or To number or the Date after "
          "signing (number normalisation is the usual culprit), clocks "
          "disagree, or the signer used the wrong key. Compare the signed "
          "claims with the request as received.",
          "Identity signature does not verify against the request (438)."),
    ENTRY(439, C, 0, "First Hop Lacks Outbound Support", "RFC 5626",
          "The registrar supports SIP Outbound but the first proxy the user "
          "agent registers through does not, so an outbound registration "
          "cannot be set up.",
          "A misconfigured edge proxy, or a phone pointed at the wrong first "
          "hop. Check that the edge proxy adds a Path with the ob parameter, "
          "or register without outbound.",
          "Edge proxy lacks the SIP Outbound support needed (439)."),
    ENTRY(440, C, 0, "Max-Breadth Exceeded", "RFC 5393",
          "A proxy could not fork the request in parallel as it wanted, "
          "because the Max-Breadth budget was used up; the request did not "
          "reach every destination.",
          "Wide parallel forking (hunt groups, many registrations per user) or "
          "forking loops between proxies. Check the forking configuration and "
          "Max-Breadth, and look for amplification loops.",
          "Parallel forking limit (Max-Breadth) reached (440)."),
    ENTRY(469, C, 0, "Bad Info Package", "RFC 6086",
          "An INFO request used an Info Package the receiver never said it "
          "accepts; Recv-Info in the response lists the ones it does.",
          "DTMF or other INFO payloads sent without negotiating the package "
          "during call setup. Check Recv-Info in the INVITE and its answer, and "
          "the Info-Package header of the INFO.",
          "INFO for an Info Package the receiver did not accept (469)."),
    ENTRY(470, C, 0, "Consent Needed", "RFC 5360",
          "The recipient has not given the sender permission to reach it "
          "through this relay (the consent framework for URI lists and "
          "translations).",
          "Relays and list servers that require the target to opt in first. "
          "The sender must obtain permission; the response lists the missing "
          "ones in Permission-Missing. Rare outside presence and messaging.",
          "Recipient has not consented to requests from this sender (470)."),
    ENTRY(480, C, 0, "Temporarily Unavailable", "RFC 3261",
          "The callee's system was reached but the user cannot be contacted "
          "right now (offline, not registered, do not disturb); Retry-After "
          "may say when to try again.",
          "Phone not registered or offline, DND, a mobile out of coverage, or "
          "a no-answer timer on systems that map it here. Check the callee's "
          "registration state and DND setting; on PSTN gateways, the ISDN "
          "cause in the Reason header.",
          "Callee temporarily unavailable: offline, unregistered or DND (480)."),
    ENTRY(481, C, 0, "Call/Transaction Does Not Exist", "RFC 3261",
          "The receiver has no dialog or transaction that matches the request "
          "(Call-ID, tags, CSeq).",
          "A BYE or re-INVITE after the other side already cleared the call, "
          "a CANCEL after the final response, tags rewritten by an SBC, state "
          "lost by a restarted server, or a request sent to the wrong address "
          "after failover. Compare Call-ID and From/To tags with the original "
          "dialog.",
          "No matching dialog or transaction at the receiver (481)."),
    ENTRY(482, C, 0, "Loop Detected", "RFC 3261",
          "A proxy saw the same request come back through it: a routing loop "
          "detected through the Via headers.",
          "Two servers routing the call to each other (PBX and carrier, two "
          "proxies), forwarding to oneself, or a DNS or route entry pointing "
          "back. Read the Via list and the routing tables of the proxies "
          "involved.",
          "Routing loop detected between servers (482)."),
    ENTRY(483, C, 0, "Too Many Hops", "RFC 3261",
          "Max-Forwards reached zero before the request got to its "
          "destination.",
          "Almost always a routing loop; sometimes an initial Max-Forwards set "
          "far below the usual 70. Follow the Via chain to see where the "
          "request circled.",
          "Max-Forwards exhausted, usually a routing loop (483)."),
    ENTRY(484, C, 0, "Address Incomplete", "RFC 3261",
          "The Request-URI does not hold enough digits to route the number.",
          "Overlap dialling, a digit-map timeout on the phone, missing digits "
          "or a wrong dial plan. Check the length of the dialled number "
          "against the dial plan.",
          "Dialled number incomplete (484)."),
    ENTRY(485, C, 0, "Ambiguous", "RFC 3261",
          "The Request-URI matched several users; the response may list the "
          "candidates in Contact.",
          "A short or partial number or name matching several entries, such "
          "as an extension present in several tenants. Dial the full number or "
          "remove the overlap in the dial plan.",
          "Dialled address is ambiguous (485)."),
    ENTRY(486, C, 0, "Busy Here", "RFC 3261",
          "The callee's device was reached but cannot take another call now; "
          "another destination such as voicemail might.",
          "Callee in another call with call waiting off, DND configured to "
          "answer busy, a per-line call limit, or a gateway out of channels. "
          "Normal user behaviour, unless every call gets it: then check call "
          "limits and concurrent-call settings.",
          "Callee is busy (486): the device is in another call or set to DND."),
    ENTRY(487, C, 0, "Request Terminated", "RFC 3261",
          "The request was cancelled before it got a final response. For an "
          "INVITE: the caller hung up while it rang, or a forking proxy "
          "cancelled the other branches after one answered.",
          "Normal: the caller gave up during ringing, or another device of a "
          "ring group picked up. Many 487s on one route can mean callers give "
          "up waiting: check post-dial delay and time to ringing.",
          "Call cancelled before answer: caller hung up or another phone answered (487)."),
    ENTRY(488, C, 0, "Not Acceptable Here", "RFC 3261",
          "The callee's device cannot accept the session in the SDP offer: "
          "codecs, media types, encryption or addresses.",
          "The callee's device rejected the offered codecs: compare the SDP "
          "m= lines with what it supports. Also SRTP required but not offered "
          "(or the reverse), T.38 versus G.711 for fax, video offered to an "
          "audio-only device, IPv6 against IPv4. A Warning header (304, 305) "
          "often says which.",
          "Offered media (codecs, SRTP, ...) not acceptable to this device (488)."),
    ENTRY(489, C, 0, "Bad Event", "RFC 3265/6665",
          "The server does not understand or support the event package named "
          "in the Event header of a SUBSCRIBE, NOTIFY or PUBLISH.",
          "Subscribing to presence, dialog (busy lamp field), message-summary "
          "(voicemail indicator) or reg on a server without that package. "
          "Compare the Event header with the server's Allow-Events.",
          "Event package not supported by the server (489)."),
    ENTRY(491, C, 0, "Request Pending", "RFC 3261",
          "A re-INVITE or UPDATE arrived while another offer/answer exchange "
          "in the same dialog was still open (glare).",
          "Both sides sent a re-INVITE at once: hold and resume, transfers, "
          "codec changes, session refreshes. Each side should retry after a "
          "random delay (RFC 3261 14.1); repeated 491s mean one does not, or an "
          "SBC races with a phone.",
          "Re-INVITE glare: another offer was pending in this dialog (491)."),
    ENTRY(493, C, 0, "Undecipherable", "RFC 3261",
          "The request carried an encrypted S/MIME body the recipient cannot "
          "decrypt, for lack of the right key.",
          "S/MIME set up on one side only, or a certificate or key mismatch. "
          "Rare in practice: check the S/MIME configuration of both ends.",
          "Encrypted (S/MIME) body cannot be decrypted (493)."),
    ENTRY(494, C, 0, "Security Agreement Required", "RFC 3329",
          "The server will not take the request until client and server have "
          "agreed on a security mechanism (sec-agree); Security-Server lists "
          "the ones it offers.",
          "IMS or VoLTE registration that expects IPsec or TLS negotiation "
          "(sec-agree), or a client without sec-agree support. Check Require "
          "and Security-Client in the request and Security-Server in the "
          "response.",
          "Security mechanism negotiation (sec-agree) required (494)."),

    /* ---- 5xx: server error ---- */
    ENTRY(500, E, 0, "Server Internal Error", "RFC 3261",
          "The server hit an unexpected condition and could not complete the "
          "request. Often quoted as 'Internal Server Error', the HTTP phrase.",
          "Software fault, database or back-end failure, a script error in a "
          "proxy's routing logic, or a media resource failure on a gateway. A "
          "Retry-After means it is temporary. Check the server's logs at that "
          "time; for a carrier, open a ticket quoting the Call-ID.",
          "Server failed internally while handling the request (500)."),
    ENTRY(501, E, 0, "Not Implemented", "RFC 3261",
          "The server does not support what the request needs, typically a "
          "method it does not recognise at all.",
          "UPDATE, PRACK, REFER, MESSAGE, SUBSCRIBE or INFO sent to equipment "
          "that lacks them. Unlike 405 the method is unknown, not just "
          "disallowed. Check the Allow header of an OPTIONS answer.",
          "Server does not implement the requested method or feature (501)."),
    ENTRY(502, E, 0, "Bad Gateway", "RFC 3261",
          "A gateway or proxy got an unusable or invalid answer from the next "
          "server it contacted.",
          "The downstream server answered with something unusable, DNS points "
          "at the wrong host, or a PSTN gateway reports a network failure. "
          "Check the next hop's answer and any ISDN cause in the Reason header.",
          "Gateway or proxy got a bad response from downstream (502)."),
    ENTRY(503, E, 0, "Service Unavailable", "RFC 3261",
          "The server is overloaded, in maintenance or otherwise unable to "
          "serve now; Retry-After may say when, and the caller should try "
          "another server if it has one.",
          "No route or no free trunk or channel, carrier congestion, a licence "
          "or call limit reached, every DNS/SRV target down, or a gateway "
          "whose PSTN link is down. Check routes and trunk health; a proxy that "
          "creates the 503 itself usually found no working next hop.",
          "Server unavailable or overloaded; no working route or trunk (503)."),
    ENTRY(504, E, 0, "Server Time-out", "RFC 3261",
          "The server contacted another server (the next hop, a location or "
          "DNS server) and got no answer in time. RFC 2543 called it 'Gateway "
          "Time-out'.",
          "The downstream proxy, gateway or database is not answering, a "
          "firewall blocks the next leg, or the next hop is overloaded. Check "
          "reachability and response times beyond the server that sent it.",
          "A server further on did not answer in time (504)."),
    ENTRY(505, E, 0, "Version Not Supported", "RFC 3261",
          "The SIP version in the request line is not one the server speaks; "
          "in practice anything but SIP/2.0.",
          "A malformed request line, non-SIP traffic sent to the SIP port, or "
          "a broken implementation. Check the request line as captured.",
          "SIP version in the request not supported (505)."),
    ENTRY(513, E, 0, "Message Too Large", "RFC 3261",
          "The message as a whole exceeds the size the server can handle.",
          "Large INVITEs over UDP (many codecs, ICE candidates, long headers) "
          "exceeding the server's buffer or the path MTU; RFC 3261 18.1.1 "
          "expects TCP for messages near the MTU. Switch to TCP or trim the "
          "message.",
          "Message too large for the server; use TCP or trim it (513)."),
    ENTRY(555, E, 0, "Push Notification Service Not Supported", "RFC 8599",
          "The pn-provider parameter of the request names a push service "
          "(APNs, FCM, ...) this server cannot use; push is how sleeping "
          "mobile SIP clients get woken for incoming calls.",
          "A mobile app asking for a push service the server is not set up "
          "for. Check pn-provider in the Contact of the REGISTER and the "
          "server's push configuration.",
          "Push notification service (pn-provider) not supported (555)."),
    ENTRY(580, E, 0, "Precondition Failure", "RFC 3312",
          "The server cannot or will not meet the preconditions the offer "
          "demands, such as a QoS or security resource reservation.",
          "Require: precondition sent to equipment that cannot reserve the "
          "resources, or a failed QoS reservation in IMS or VoLTE. Check the "
          "a=curr and a=des lines of the SDP and whether preconditions are "
          "needed at all.",
          "Required preconditions (e.g. QoS) cannot be met (580)."),

    /* ---- 6xx: global failure ---- */
    ENTRY(600, G, 0, "Busy Everywhere", "RFC 3261",
          "The callee is busy and the server knows that no other destination, "
          "voicemail included, can take the call; trying elsewhere is "
          "pointless.",
          "Callee or every member of a group busy with no voicemail; some "
          "carriers send it in place of 486. Retry later.",
          "Callee busy at every destination, no alternative (600)."),
    ENTRY(603, G, 0, "Decline", "RFC 3261",
          "The callee explicitly will not take the call, and no other "
          "destination will either; Retry-After may suggest a better time.",
          "The user pressed reject, call screening or a block list, DND set to "
          "decline, or a carrier using it for policy rejections. If every call "
          "to a number gets it, check the callee's block lists and the reason "
          "phrase.",
          "Callee declined the call (603)."),
    ENTRY(604, G, 0, "Does Not Exist Anywhere", "RFC 3261",
          "Authoritative answer: this user or number exists nowhere, not just "
          "at the server that replied.",
          "Number not in service, answered by a carrier or database with "
          "authoritative number data. Check the dialled number and its "
          "portability status.",
          "Dialled user or number does not exist anywhere (604)."),
    ENTRY(606, G, 0, "Not Acceptable", "RFC 3261",
          "The callee's agent was reached, but parts of the session "
          "description (media, bandwidth, addressing) are unacceptable "
          "wherever the call goes.",
          "Like 488 but final for every destination: codec, SRTP or video "
          "mismatch. Compare the SDP offer with what the callee supports; a "
          "Warning header may say which part failed.",
          "Session description unacceptable to the callee anywhere (606)."),
    ENTRY(607, G, 0, "Unwanted", "RFC 8197",
          "The called person marked the call as unwanted (nuisance or robot "
          "call); later calls from this caller are likely to be refused too. "
          "Carriers feed it to call-analytics engines.",
          "The callee pressed a 'report spam' button or similar. For a "
          "legitimate caller, check caller-ID presentation and STIR/SHAKEN "
          "attestation, and contact the callee or the carrier.",
          "Called party marked the call as unwanted (607)."),
    ENTRY(608, G, 0, "Rejected", "RFC 8688",
          "An intermediary such as a carrier's call-blocking analytics, not "
          "the called person, rejected the call. It may carry a Call-Info "
          "with purpose=jwscard giving a contact to dispute the block.",
          "Carrier call blocking or robocall analytics flagged the caller. "
          "Check the reputation and attestation level of the caller ID, and "
          "use the contact card in Call-Info to dispute the rejection.",
          "An intermediary (e.g. spam filter) rejected the call (608)."),
};

#undef P
#undef S
#undef R
#undef C
#undef E
#undef G
#undef ENTRY

#define CODE_COUNT (sizeof code_table / sizeof code_table[0])

/* Codes missing from the table are explained by their class. RFC 3261
 * 8.1.3.2: an unrecognised final response is handled as the x00 of its
 * class, an unrecognised provisional response other than 100 as 183. */
static const sls_code_info class_table[] = {
    [SLS_CLASS_INVALID] = {
        .cls = SLS_CLASS_INVALID, .reason = "Invalid", .rfc = "",
        .meaning = "Not a SIP response code: status codes are three digits "
                   "from 100 to 699 (RFC 3261 7.2).",
        .causes = "A corrupted or truncated message, traffic that is not SIP, "
                  "or a parser error. Check the status line as captured.",
        .summary = "Invalid SIP status code (outside 100-699).",
    },
    [SLS_CLASS_PROVISIONAL] = {
        .cls = SLS_CLASS_PROVISIONAL, .is_final = 0, .reason = "Provisional",
        .rfc = "",
        .meaning = "An unregistered provisional (1xx) code: the request is "
                   "still being processed and a final response will follow. "
                   "RFC 3261 8.1.3.2 says to handle an unknown 1xx as 183 "
                   "Session Progress (the class's catch-all, rather than 100).",
        .causes = "A vendor-specific or very new code. Read the reason phrase "
                  "and the vendor's documentation; a provisional response "
                  "never ends the call by itself, so look at the final "
                  "response that follows.",
        .summary = "Unregistered provisional code, handled as 183 Session Progress.",
    },
    [SLS_CLASS_SUCCESS] = {
        .cls = SLS_CLASS_SUCCESS, .is_final = 1, .reason = "Success",
        .rfc = "",
        .meaning = "An unregistered success (2xx) code: the request "
                   "succeeded. RFC 3261 8.1.3.2 says to handle an unknown code "
                   "as the x00 of its class, here 200 OK.",
        .causes = "A vendor-specific or non-conforming code. Treat it as 200; "
                  "for an INVITE the caller must still ACK it. Read the reason "
                  "phrase and the vendor's documentation.",
        .summary = "Unregistered success code, handled as 200 OK.",
    },
    [SLS_CLASS_REDIRECTION] = {
        .cls = SLS_CLASS_REDIRECTION, .is_final = 1, .reason = "Redirection",
        .rfc = "",
        .meaning = "An unregistered redirection (3xx) code: the target is to "
                   "be tried elsewhere, normally at the Contact addresses. "
                   "RFC 3261 8.1.3.2 says to handle it as the x00 of its "
                   "class, here 300 Multiple Choices.",
        .causes = "A vendor-specific code from a redirect server or routing "
                  "database. Check the Contact headers and whether the caller "
                  "follows redirects.",
        .summary = "Unregistered redirection code, handled as 300 Multiple Choices.",
    },
    [SLS_CLASS_CLIENT_ERROR] = {
        .cls = SLS_CLASS_CLIENT_ERROR, .is_final = 1, .reason = "Client Error",
        .rfc = "",
        .meaning = "An unregistered client-error (4xx) code: the request "
                   "failed because of something in it or about its target, "
                   "and resending it unchanged to the same server will fail "
                   "again. RFC 3261 8.1.3.2 says to handle it as the x00 of its "
                   "class, here 400 Bad Request.",
        .causes = "A vendor-specific or misnumbered code. Read the reason "
                  "phrase, any Warning or Reason header and the vendor's "
                  "documentation; then check the request as for a 400.",
        .summary = "Unregistered client-error code, handled as 400 Bad Request.",
    },
    [SLS_CLASS_SERVER_ERROR] = {
        .cls = SLS_CLASS_SERVER_ERROR, .is_final = 1, .reason = "Server Error",
        .rfc = "",
        .meaning = "An unregistered server-error (5xx) code: the request may "
                   "have been valid but the server failed to handle it; "
                   "another server may succeed. RFC 3261 8.1.3.2 says to "
                   "handle it as the x00 of its class, here 500 Server "
                   "Internal Error.",
        .causes = "A vendor-specific code, often from a gateway or an SBC. "
                  "Read the reason phrase and any Reason header (ISDN cause), "
                  "and check the health of the server that sent it.",
        .summary = "Unregistered server-error code, handled as 500 Server Internal Error.",
    },
    [SLS_CLASS_GLOBAL_FAILURE] = {
        .cls = SLS_CLASS_GLOBAL_FAILURE, .is_final = 1,
        .reason = "Global Failure", .rfc = "",
        .meaning = "An unregistered global-failure (6xx) code: the request "
                   "will fail at every destination, so other branches should "
                   "not be tried. RFC 3261 8.1.3.2 says to handle it as the x00 "
                   "of its class, here 600 Busy Everywhere.",
        .causes = "A vendor-specific code, typically a definitive rejection by "
                  "the callee or a carrier. Read the reason phrase and the "
                  "vendor's documentation.",
        .summary = "Unregistered global-failure code, handled as 600 Busy Everywhere.",
    },
};

static const sls_code_info *find_code(unsigned code)
{
    size_t lo = 0, hi = CODE_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (code_table[mid].code == code)
            return &code_table[mid];
        if (code_table[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int sls_explain_code(unsigned code, sls_code_info *info)
{
    if (info == NULL)
        return SLS_EINVAL;
    if (code < 100 || code > 699) {
        *info = class_table[SLS_CLASS_INVALID];
        info->code = code;
        return SLS_ERANGE;
    }
    const sls_code_info *row = find_code(code);
    *info = row != NULL ? *row : class_table[code / 100];
    info->code = code;
    return 0;
}

const char *sls_code_class_name(enum sls_code_class cls)
{
    switch (cls) {
    case SLS_CLASS_PROVISIONAL:
        return "Provisional";
    case SLS_CLASS_SUCCESS:
        return "Success";
    case SLS_CLASS_REDIRECTION:
        return "Redirection";
    case SLS_CLASS_CLIENT_ERROR:
        return "Client Error";
    case SLS_CLASS_SERVER_ERROR:
        return "Server Error";
    case SLS_CLASS_GLOBAL_FAILURE:
        return "Global Failure";
    case SLS_CLASS_INVALID:
    default:
        return "Invalid";
    }
}

const sls_code_info *sls_explain_table(unsigned *count)
{
    if (count != NULL)
        *count = (unsigned)CODE_COUNT;
    return code_table;
}
