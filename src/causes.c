/* Why a call failed, as the far end said it: Q.850 cause values, SIP
 * warn-codes, and the parsers for the Reason (RFC 3326), Warning (RFC 3261
 * 20.43) and Retry-After (RFC 3261 20.33) header values.
 *
 * The parsers read header values that are NOT NUL-terminated: every byte is
 * read through peek(), which answers -1 past the end, so no path can read
 * outside [value, value + len). They are strict (the RFC 3261 25.1 grammar,
 * white space wherever LWS/SWS is allowed, line folding included), never
 * allocate, and copy what they keep into the caller's fixed fields,
 * truncating long text on a UTF-8 character boundary.
 *
 * The knowledge tables are static const: the module keeps no state. */
#include "sipsleuth/causes.h"
#include "sipsleuth/error.h"

#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Q.850 cause values
 * ------------------------------------------------------------------------ */

/* SIP codes are the ISUP-cause-to-SIP-status table of RFC 3398 8.2.6.1,
 * which RFC 4497 (SIP-QSIG) follows; 0 where neither defines one. The
 * names are ITU-T Q.850 (05/1998) Table 1, plus value 14 (Q.850 Addendum 1)
 * and value 24 (Q.850 Amendment 1). Values some national or ANSI variants
 * give other meanings to (33, 52, 54, 56, ...) are not in Q.850 and are
 * explained by their class. */
#define Q(c, sip, n, m) \
    [c] = { .cause = (c), .known = 1, .name = (n), .meaning = (m), .sip_code = (sip) }

static const sls_q850_info q850_table[128] = {
    /* ---- 0-31: normal event ---- */
    Q(1, 404, "Unallocated (unassigned) number",
      "The number is well formed but not assigned to anyone in the network "
      "that released the call. Check the dialled digits and the number "
      "translation on the PBX, gateway or SBC (country code, leading 0 or "
      "+); if the number is right, ask the carrier whether it is in service "
      "or was ported."),
    Q(2, 404, "No route to specified transit network (national use)",
      "The releasing network cannot reach the transit network (carrier) the "
      "call asked for, for example through a carrier-selection prefix. Check "
      "carrier-selection prefixes in the dialled number and the route to "
      "that carrier."),
    Q(3, 404, "No route to destination",
      "The network has no route toward the area or network the number "
      "belongs to. Check the dial plan and outbound routes, and whether the "
      "trunk may call that kind of destination (international, premium, "
      "short codes, mobile)."),
    Q(4, 0, "Send special information tone",
      "The number cannot be reached for a long-term reason and the network "
      "wants the caller to hear the special information tone (three rising "
      "tones before an announcement). Treat it like an invalid or "
      "out-of-service number: check the digits and the number translation."),
    Q(5, 0, "Misdialled trunk prefix (national use)",
      "A trunk prefix (such as a leading 0) was sent where it must not be. "
      "Check number normalisation on the gateway: an international number "
      "that still carries the national prefix is the usual cause."),
    Q(6, 0, "Channel unacceptable",
      "The ISDN channel offered for the call is not acceptable to the other "
      "side. Check the channel selection of the PRI/BRI trunk (exclusive or "
      "preferred channel, channel range, hunting order) and which side is "
      "configured as network and which as user."),
    Q(7, 0, "Call awarded and being delivered in an established channel",
      "The call is being connected over a channel already set up to that "
      "user for similar calls (packet-mode ISDN). Rare on voice trunks; if "
      "it ends a voice call, check the ISDN trunk configuration."),
    Q(8, 0, "Preemption",
      "The call was cleared because a higher-priority call took its "
      "resources (multi-level precedence and preemption, MLPP, in military "
      "or government networks). Check whether precedence calling is active "
      "on the route."),
    Q(9, 0, "Preemption - circuit reserved for reuse",
      "As 8 Preemption, and the freed circuit is kept for the pre-empting "
      "exchange. Check the MLPP/precedence configuration."),
    Q(14, 0, "QoR: ported number",
      "Query on Release: the number was ported to another network and the "
      "call is released so that an earlier network can look up the new "
      "route. Calls that keep failing with 14 point at the number "
      "portability lookup or at routing on the returned routing number."),
    Q(16, 0, "Normal call clearing",
      "A party hung up: the normal end of a call, not a failure. It belongs "
      "in a BYE or CANCEL; RFC 3398 maps it to no SIP response. Seen on a "
      "call that never connected, it means the far end gave up or cleared "
      "the call before answer without saying why."),
    Q(17, 486, "User busy",
      "The callee is busy and cannot take another call. Expected now and "
      "then; if every call gets it, check concurrent-call limits on the "
      "callee, a stuck extension, or a trunk whose channels are all in use "
      "and that reports busy instead of congestion."),
    Q(18, 408, "No user responding",
      "The callee's equipment did not respond to the call set-up in time "
      "(no alerting, no answer from the device itself). Check that the "
      "device is registered and reachable: NAT bindings and keep-alives, "
      "power, network."),
    Q(19, 480, "No answer from user (user alerted)",
      "The phone rang but nobody answered before a no-answer timer fired. "
      "Expected on unanswered calls; if calls are cut too soon, compare the "
      "no-answer timers of the PBX, the gateway and the carrier and check "
      "call-forward-on-no-answer to voicemail."),
    Q(20, 480, "Subscriber absent",
      "The callee is temporarily unreachable: a mobile switched off or out "
      "of coverage, or a SIP user that is not registered. Check the "
      "callee's registration, or retry later."),
    Q(21, 403, "Call rejected",
      "The callee, or the network on its behalf, refused a call it could "
      "have taken: reject key, call screening, anonymous call rejection, a "
      "block list. Check the callee's barring and screening rules and the "
      "caller ID presented (anonymous or malformed numbers are often "
      "rejected). RFC 3398 maps it to 403; a 603 Decline is also used when "
      "the user rejected the call."),
    Q(22, 410, "Number changed",
      "The number is no longer in use; the diagnostic may carry the new "
      "number. Update the dialled number or directory. RFC 3398 maps it to "
      "410 Gone, or to 301 Moved Permanently with the new number as Contact "
      "when the diagnostic gives one."),
    Q(23, 410, "Redirection to new destination",
      "An exchange redirected the call to another destination and expects "
      "an earlier network to re-route it. A call that fails with 23 was not "
      "re-routed: check the trunk's support for redirection and call "
      "diversion."),
    Q(24, 0, "Call rejected due to feature at the destination",
      "A supplementary service at the called side refused the call, for "
      "example anonymous call rejection or a barring feature. Check the "
      "caller ID presentation (privacy) and the callee's features."),
    Q(25, 0, "Exchange routing error",
      "An exchange found a routing problem, usually a hop counter that ran "
      "out: the call is looping between networks. Check the routing tables "
      "of each hop for loops (the SIP counterpart is 483 Too Many Hops)."),
    Q(26, 404, "Non-selected user clearing",
      "This terminal was not awarded the call because another one answered "
      "first (parallel ringing, several phones on one ISDN bus). Harmless: "
      "it is the ISDN form of 'call completed elsewhere'."),
    Q(27, 502, "Destination out of order",
      "The callee's interface is not working: the link to its PBX or "
      "gateway is down, or its signalling does not respond. Check the "
      "destination PBX or gateway and the trunk toward it; on SIP, whether "
      "the next hop is reachable."),
    Q(28, 484, "Invalid number format (address incomplete)",
      "The number is malformed or incomplete: too few digits, or the wrong "
      "type of number or numbering plan. Check number normalisation (E.164 "
      "with +, national versus international type of number) and "
      "digit-collection timers that send the number before it is complete."),
    Q(29, 501, "Facility rejected",
      "The network could not provide a supplementary service the call "
      "asked for. Find which feature or header requested it and disable it "
      "on the trunk, or have the carrier enable it."),
    Q(30, 0, "Response to STATUS ENQUIRY",
      "Sent in a STATUS message answering a STATUS ENQUIRY: it only reports "
      "state, it is not a failure. If a call is cleared with it, the two "
      "sides disagreed about the call's state: check the ISDN protocol "
      "variant and timers on both ends."),
    Q(31, 480, "Normal, unspecified",
      "A normal-class failure with no more specific cause; many switches "
      "use it as a catch-all. Look for other evidence: the SIP status, "
      "Warning headers, the releasing switch's records, and where the call "
      "got to before it was released."),
    /* ---- 32-47: resource unavailable ---- */
    Q(34, 503, "No circuit/channel available",
      "No free circuit or channel to carry the call: all channels of the "
      "trunk or of the route to the next network are busy. Check trunk "
      "capacity and concurrent-call limits (channel count, licences, the "
      "carrier's call admission control) and channels stuck or blocked on "
      "the gateway."),
    Q(38, 503, "Network out of order",
      "The network is not working and is likely to stay so for a while; an "
      "immediate retry will probably fail. Check the trunk status (PRI "
      "layers 1 and 2, SIP OPTIONS keep-alives) and the carrier's status."),
    Q(39, 0, "Permanent frame mode connection out of service",
      "A permanent frame-mode (Frame Relay) connection is out of service. A "
      "data-service cause, not a voice one: check the data link and its "
      "equipment."),
    Q(40, 0, "Permanent frame mode connection operational",
      "A permanent frame-mode connection is working again. Informational, "
      "for data services only."),
    Q(41, 503, "Temporary failure",
      "The network is not working correctly but should recover soon; a "
      "retry, possibly on another route, may succeed. Check for flapping "
      "links, short overloads or a failed component on the releasing "
      "switch, and whether route advance tries another trunk."),
    Q(42, 503, "Switching equipment congestion",
      "The releasing switch is overloaded. Check the call rate sent toward "
      "it (calls per second against the carrier's limit), retry storms and "
      "dialler traffic."),
    Q(43, 0, "Access information discarded",
      "The network could not deliver some of the call's access information "
      "(user-to-user information, low-layer compatibility, subaddress) to "
      "the other user; the diagnostic names which. The call itself may go "
      "on: check which optional information was dropped."),
    Q(44, 0, "Requested circuit/channel not available",
      "The specific circuit or channel the requester asked for is not "
      "available (channel glare or mismatch). Check channel selection on "
      "both ends of the ISDN trunk: exclusive channel, hunting direction."),
    Q(46, 0, "Precedence call blocked",
      "A precedence (MLPP) call could not complete: no pre-emptable circuit, "
      "or the callee is busy with a call of equal or higher precedence. "
      "Check the MLPP configuration."),
    Q(47, 503, "Resource unavailable, unspecified",
      "Some resource was unavailable, with no more specific cause: DSPs, "
      "transcoders, conference or media resources, channels. Check the "
      "gateway's DSP and transcoding capacity and licence limits."),
    /* ---- 48-63: service or option not available ---- */
    Q(49, 0, "Quality of Service not available",
      "The requested quality of service cannot be provided. Rare on voice "
      "trunks: check the bearer and QoS parameters the caller asked for."),
    Q(50, 0, "Requested facility not subscribed",
      "The caller asked for a supplementary service it has not subscribed "
      "to (caller-ID restriction, international calls, ...). Check the "
      "account's or trunk's class of service with the carrier."),
    Q(53, 0, "Outgoing calls barred within CUG",
      "The caller belongs to a closed user group that does not allow "
      "outgoing calls. Check the CUG and outgoing call barring of the "
      "account."),
    Q(55, 403, "Incoming calls barred within CUG",
      "The callee belongs to a closed user group that does not accept "
      "incoming calls from this caller. Check the CUG configuration or the "
      "callee's incoming call barring."),
    Q(57, 403, "Bearer capability not authorized",
      "The caller asked for a bearer capability it may not use (for example "
      "unrestricted 64 kbit/s data or video). Check the bearer capability "
      "the gateway sends (speech, 3.1 kHz audio, data) and the "
      "subscription."),
    Q(58, 503, "Bearer capability not presently available",
      "The requested bearer capability exists but is not available now. "
      "Retry later, and check the bearer capability requested and any "
      "restriction from the carrier."),
    Q(62, 0, "Inconsistency in designated outgoing access information and subscriber class",
      "The call's outgoing-access indication does not match the "
      "subscriber's closed user group class. Check the CUG and outgoing "
      "access provisioning."),
    Q(63, 0, "Service or option not available, unspecified",
      "A service or option is not available, with no more specific cause. "
      "Check which feature the call requested, the caller's class of "
      "service and whether the number type is allowed on the trunk."),
    /* ---- 64-79: service or option not implemented ---- */
    Q(65, 488, "Bearer capability not implemented",
      "The equipment does not support the requested bearer capability at "
      "all (a data call to a voice-only trunk, for instance). Behind a "
      "SIP-ISDN gateway this often comes from a media mismatch: check the "
      "bearer capability sent (speech, 3.1 kHz, unrestricted digital) and "
      "the codecs offered."),
    Q(66, 0, "Channel type not implemented",
      "The equipment does not support the requested channel type (such as "
      "multi-rate H0/H12 channels). Check the channel type the ISDN "
      "terminal asks for."),
    Q(69, 0, "Requested facility not implemented",
      "The equipment does not implement the requested supplementary "
      "service. Disable the feature or check what the trunk supports."),
    Q(70, 488, "Only restricted digital information bearer capability is available",
      "An unrestricted digital call was requested but only restricted "
      "(56 kbit/s) digital capability exists on the path. Check data-call "
      "settings; for a voice call make sure the gateway sends a speech "
      "bearer."),
    Q(79, 501, "Service or option not implemented, unspecified",
      "A service or option is not implemented, with no more specific "
      "cause. The diagnostic, or a Warning header on the SIP side, may name "
      "the unsupported feature or message."),
    /* ---- 80-95: invalid message ---- */
    Q(81, 0, "Invalid call reference value",
      "A message used a call reference that is not active on the "
      "interface: signalling state got out of step, often after a link "
      "reset. Check D-channel stability and timers."),
    Q(82, 0, "Identified channel does not exist",
      "A message named a channel that does not exist or is not active on "
      "the interface (channel 24 on a T1 configured 23B+D, for instance). "
      "Check channel ranges and interface configuration on both sides."),
    Q(83, 0, "A suspended call exists, but this call identity does not",
      "A resume request used a call identity that does not match the "
      "suspended call. Concerns ISDN call suspend/resume only."),
    Q(84, 0, "Call identity in use",
      "A suspend request used a call identity already taken by another "
      "suspended call. Concerns ISDN call suspend/resume only."),
    Q(85, 0, "No call suspended",
      "A resume request arrived but no call is suspended. Concerns ISDN "
      "call suspend/resume only."),
    Q(86, 0, "Call having the requested call identity has been cleared",
      "The suspended call the user tried to resume was cleared meanwhile "
      "(network timeout or far-end release). Concerns ISDN call "
      "suspend/resume only."),
    Q(87, 403, "User not member of CUG",
      "The callee is not a member of the caller's closed user group. Check "
      "CUG membership."),
    Q(88, 503, "Incompatible destination",
      "The destination cannot handle the call's compatibility attributes "
      "(bearer capability, high- or low-layer compatibility): a fax or data "
      "call to a voice-only terminal, for example. Check the bearer "
      "capability and HLC the gateway sends; on SIP-to-ISDN calls it often "
      "follows a codec or media mismatch."),
    Q(90, 0, "Non-existent CUG",
      "The closed user group named in the call does not exist. Check CUG "
      "provisioning."),
    Q(91, 0, "Invalid transit network selection (national use)",
      "The transit network identification is not in the correct format. "
      "Check carrier-selection parameters."),
    Q(95, 0, "Invalid message, unspecified",
      "A message was invalid, with no more specific cause. Look for "
      "malformed signalling between gateway and switch: protocol variant, "
      "parameter encoding."),
    /* ---- 96-111: protocol error ---- */
    Q(96, 0, "Mandatory information element is missing",
      "A message lacked an element that must be present (a SETUP without "
      "bearer capability or called number, for example). Check the "
      "protocol variant on both ends and what the gateway leaves out."),
    Q(97, 0, "Message type non-existent or not implemented",
      "A message type arrived that the equipment does not know or does not "
      "implement. Check the switch type or protocol variant configured on "
      "the ISDN or ISUP interface."),
    Q(98, 0, "Message not compatible with call state or message type non-existent or not implemented",
      "A message arrived that is not allowed in the current call state, or "
      "whose type is unknown: a state or protocol-variant mismatch. Check "
      "both configurations and the timers."),
    Q(99, 0, "Information element / parameter non-existent or not implemented",
      "A message carried an element or parameter the equipment does not "
      "recognise; it was ignored. Check the protocol variant and any "
      "vendor-specific elements the gateway adds."),
    Q(100, 0, "Invalid information element contents",
      "An element was recognised but its contents are invalid: a bad type "
      "of number or numbering plan, invalid digits, a malformed calling "
      "number. Check the number formatting the gateway applies."),
    Q(101, 0, "Message not compatible with call state",
      "A message arrived that does not fit the current call state: the two "
      "sides disagree about the call (glare, a lost message, a link reset). "
      "Check timers and link stability."),
    Q(102, 504, "Recovery on timer expiry",
      "A protocol timer expired and error recovery cleared the call: the "
      "far end did not answer a signalling message in time. Check latency "
      "and loss on the signalling path, the far end's health, and timer "
      "settings (T303/T310 on ISDN, Timer B/C on SIP)."),
    Q(103, 0, "Parameter non-existent or not implemented - passed on",
      "A parameter was not recognised and was passed on unchanged (ISUP "
      "compatibility procedures). Informational: look for vendor-specific "
      "parameters."),
    Q(110, 0, "Message with unrecognized parameter, discarded",
      "A message was discarded because it carried a parameter that was not "
      "recognised. Check the protocol variants and the compatibility "
      "information on the ISUP or SIP-I interface."),
    Q(111, 500, "Protocol error, unspecified",
      "A protocol error with no more specific cause. Look at the signalling "
      "just before the release for malformed or unexpected messages, and "
      "compare the protocol variants on both ends."),
    /* ---- 112-127: interworking ---- */
    Q(127, 500, "Interworking, unspecified",
      "The call crossed a network or gateway that cannot tell the real "
      "cause (SIP to ISUP, or between signalling systems); the failure "
      "happened beyond it. Look for the original cause elsewhere: other "
      "Reason or Warning headers, or the far network's records."),
};
#undef Q

/* Q.850: the class is the value's top three bits (000 and 001 are both
 * "normal event"), and equipment handles a cause value it does not know as
 * the "unspecified" value of its class (31, 47, 63, 79, 95, 111, 127). */
struct q850_class {
    const char *name;
    const char *meaning;
};

static const struct q850_class q850_classes[8] = {
    {"Unassigned (normal event class)",
     "Not a value defined by Q.850. It lies in the normal-event class "
     "(0-31) and is handled as 31 Normal, unspecified. A national or vendor "
     "variant may define it: check the releasing equipment's documentation."},
    {"Unassigned (normal event class)",
     "Not a value defined by Q.850. It lies in the normal-event class "
     "(0-31) and is handled as 31 Normal, unspecified. A national or vendor "
     "variant may define it: check the releasing equipment's documentation."},
    {"Unassigned (resource unavailable class)",
     "Not a value defined by Q.850. It lies in the resource-unavailable "
     "class (32-47) and is handled as 47 Resource unavailable, unspecified: "
     "check channel, trunk and DSP capacity along the route."},
    {"Unassigned (service or option not available class)",
     "Not a value defined by Q.850. It lies in the service-or-option-not-"
     "available class (48-63) and is handled as 63: check the features and "
     "class of service the call needed."},
    {"Unassigned (service or option not implemented class)",
     "Not a value defined by Q.850. It lies in the service-or-option-not-"
     "implemented class (64-79) and is handled as 79: some equipment on the "
     "path lacks a feature the call asked for."},
    {"Unassigned (invalid message class)",
     "Not a value defined by Q.850. It lies in the invalid-message class "
     "(80-95) and is handled as 95: look for malformed signalling near the "
     "release."},
    {"Unassigned (protocol error class)",
     "Not a value defined by Q.850. It lies in the protocol-error class "
     "(96-111) and is handled as 111: compare the protocol variants and "
     "timers of both ends."},
    {"Unassigned (interworking class)",
     "Not a value defined by Q.850. It lies in the interworking class "
     "(112-127) and is handled as 127: the real cause was lost at a gateway "
     "or network boundary."},
};

int sls_q850_explain(unsigned cause, sls_q850_info *info)
{
    if (info == NULL)
        return SLS_EINVAL;
    if (cause > 127) {
        /* Q.850: the cause value is a 7-bit field. */
        info->cause = cause;
        info->known = 0;
        info->name = "Invalid cause value";
        info->meaning = "Q.850 cause values are 7 bits (0-127); this one cannot "
                        "come from a conforming ISDN or ISUP release. Check "
                        "the Reason header as captured.";
        info->sip_code = 0;
        return SLS_ERANGE;
    }
    if (q850_table[cause].known) {
        *info = q850_table[cause];
        return 0;
    }
    const struct q850_class *k = &q850_classes[cause >> 4];
    info->cause = cause;
    info->known = 0;
    info->name = k->name;
    info->meaning = k->meaning;
    info->sip_code = 0;
    return 0;
}

/* ------------------------------------------------------------------------
 * Warning codes
 * ------------------------------------------------------------------------ */

/* Names as in the IANA "Warning Codes (warn-codes)" registry of the SIP
 * Parameters: RFC 3261 20.43 defines 300-399 except 308 (RFC 8373) and
 * 380/381 (RFC 5630). Codes 300-307 say which part of an SDP offer the
 * answerer could not accept. */
#define W(c, n, m) [(c) - 300] = { .code = (c), .known = 1, .name = (n), .meaning = (m) }

static const sls_warn_info warn_table[100] = {
    W(300, "Incompatible network protocol",
      "A network type in the session description (the nettype of c= or o=, "
      "normally IN) is not available. Check the SDP for an unusual network "
      "type."),
    W(301, "Incompatible network address formats",
      "An address type in the session description is not available, "
      "typically an IPv6 (IP6) address offered to an IPv4-only endpoint or "
      "the reverse. Check the c= lines and the dual-stack settings of both "
      "ends."),
    W(302, "Incompatible transport protocol",
      "A transport protocol in the m= lines is not available, commonly a "
      "secure or feedback profile (RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF) "
      "offered to a device that only does RTP/AVP. Check SRTP and DTLS "
      "settings on both ends."),
    W(303, "Incompatible bandwidth units",
      "A bandwidth modifier (b= line) uses units that are not understood. "
      "Check the b= lines of the offer."),
    W(304, "Media type not available",
      "A media type in the m= lines (audio, video, image for fax, "
      "application) is not available, for example video to an audio-only "
      "phone or T.38 to a device without fax support."),
    W(305, "Incompatible media format",
      "None of the formats offered for a media stream is available: a codec "
      "mismatch. Compare the payload types and rtpmap lines of the offer "
      "with the codecs the far end allows."),
    W(306, "Attribute not understood",
      "An a= attribute of the session description is not understood. Look "
      "for vendor-specific or newer attributes in the offer."),
    W(307, "Session description parameter not understood",
      "A session description parameter other than the ones above is not "
      "understood. Validate the SDP syntax of the offer."),
    W(308, "Incompatible language specification",
      "The languages requested for the media (hlang-send, hlang-recv) are "
      "not supported; the call may go on without them."),
    W(330, "Multicast not available",
      "The site where the user is does not support multicast. Offer a "
      "unicast address instead."),
    W(331, "Unicast not available",
      "The site where the user is does not support unicast, typically "
      "because of a firewall; only multicast is possible."),
    W(370, "Insufficient bandwidth",
      "The bandwidth the session description asks for, or the media "
      "chosen, exceeds what is known to be available. Check b= lines, codec "
      "bit rates and call admission control on the path."),
    W(380, "SIPS Not Allowed",
      "The request used the SIPS scheme where it is not allowed, for "
      "example because the target has no SIPS contact registered. Check "
      "the scheme of the Request-URI and Contact and the TLS configuration."),
    W(381, "SIPS Required",
      "The request must use the SIPS scheme (TLS end to end) but did not. "
      "Check the Request-URI and Contact schemes and the TLS settings."),
    W(399, "Miscellaneous warning",
      "Free-form information in the warn-text; receivers must not act on "
      "it automatically. Read the text: gateways and SBCs often put the "
      "real reason of a failure there."),
};
#undef W

int sls_warning_explain(unsigned code, sls_warn_info *info)
{
    if (info == NULL)
        return SLS_EINVAL;
    info->code = code;
    if (code < 300 || code > 399) {
        /* RFC 3261 20.43: warn-codes are 3xx. */
        info->known = 0;
        info->name = "Invalid warn-code";
        info->meaning = "SIP warn-codes are 300-399 (RFC 3261 20.43). Check "
                        "the Warning header as captured.";
        return SLS_ERANGE;
    }
    if (warn_table[code - 300].known) {
        *info = warn_table[code - 300];
        return 0;
    }
    info->known = 0;
    info->name = "Unregistered warn-code";
    info->meaning = "A warn-code not in the IANA registry: a vendor or a newer "
                    "specification defines it. Read the warn-text and the "
                    "warn-agent, which names the host that added it.";
    return 0;
}

/* ------------------------------------------------------------------------
 * Lexical helpers (RFC 3261 25.1)
 * ------------------------------------------------------------------------ */

/* A header value that is not NUL-terminated. */
struct txt {
    const char *p;
    size_t len;
};

/* The byte at i, or -1 past the end: the only way this file reads input. */
static int peek(const struct txt *t, size_t i)
{
    return i < t->len ? (unsigned char)t->p[i] : -1;
}

static int is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" /
 * "+" / "`" / "'" / "~"). */
static int is_token_char(int c)
{
    if (c < 0)
        return 0;
    return is_alpha(c) || is_digit(c) ||
           (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

/* Length of a line fold at i: CRLF followed by at least one SP/HTAB; 0
 * otherwise. A bare LF is taken for CRLF, as robust parsers do (RFC 7230
 * 3.5 recommends it for HTTP, whose grammar SIP borrows). */
static size_t fold_at(const struct txt *t, size_t i)
{
    size_t n = 0;
    if (peek(t, i) == '\r')
        n = 1;
    if (peek(t, i + n) != '\n')
        return 0;
    n++;
    return is_wsp(peek(t, i + n)) ? n : 0;
}

/* RFC 3261 25.1: SWS = [LWS], LWS = [*WSP CRLF] 1*WSP. Returns the index of
 * the first byte after the white space. */
static size_t skip_sws(const struct txt *t, size_t i)
{
    for (;;) {
        if (is_wsp(peek(t, i))) {
            i++;
            continue;
        }
        size_t f = fold_at(t, i);
        if (f == 0)
            return i;
        i += f;
    }
}

static size_t skip_token(const struct txt *t, size_t i)
{
    while (is_token_char(peek(t, i)))
        i++;
    return i;
}

static size_t skip_digits(const struct txt *t, size_t i)
{
    while (is_digit(peek(t, i)))
        i++;
    return i;
}

static int token_eq(const struct txt *t, size_t from, size_t to, const char *lit)
{
    size_t n = strlen(lit);
    if (to - from != n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        int a = peek(t, from + k), b = (unsigned char)lit[k];
        if (a >= 'A' && a <= 'Z')
            a += 'a' - 'A';
        if (b >= 'A' && b <= 'Z')
            b += 'a' - 'A';
        if (a != b)
            return 0;
    }
    return 1;
}

/* Bounded copy into a fixed field, always NUL-terminated. Text that does not
 * fit is dropped, and a UTF-8 sequence cut by the limit is removed whole so
 * reports never show half a character. */
struct field {
    char *buf;
    size_t size; /* > 0 */
    size_t n;
    int truncated;
};

static void field_init(struct field *f, char *buf, size_t size)
{
    f->buf = buf;
    f->size = size;
    f->n = 0;
    f->truncated = 0;
    buf[0] = '\0';
}

static void field_put(struct field *f, int c)
{
    if (f->n + 1 >= f->size) {
        f->truncated = 1;
        return;
    }
    f->buf[f->n++] = (char)c;
}

static void field_finish(struct field *f)
{
    if (f->truncated && f->n > 0) {
        /* Walk back over continuation bytes to the lead byte and drop the
         * sequence if it is incomplete. */
        size_t k = f->n, cont = 0;
        while (k > 0 && ((unsigned char)f->buf[k - 1] & 0xC0) == 0x80 && cont < 3) {
            k--;
            cont++;
        }
        if (k > 0) {
            unsigned lead = (unsigned char)f->buf[k - 1];
            size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
            if (lead >= 0xC0 && cont < need)
                f->n = k - 1;
        }
    }
    f->buf[f->n] = '\0';
}

/* RFC 3261 25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE,
 * qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII, quoted-pair =
 * "\" (%x00-09 / %x0B-0C / %x0E-7F). *i is at the opening quote; on success
 * it is just past the closing one. Folds are kept as one space; escaped
 * control characters become '?' so reports stay printable. dst may be NULL
 * to validate only. */
static int parse_quoted(const struct txt *t, size_t *i, struct field *dst)
{
    size_t k = *i;
    if (peek(t, k) != '"')
        return SLS_EINVAL;
    k++;
    for (;;) {
        int c = peek(t, k);
        if (c < 0)
            return SLS_EINVAL; /* unterminated */
        if (c == '"')
            break;
        if (c == '\\') {
            int e = peek(t, k + 1);
            if (e < 0 || e == '\n' || e == '\r' || e > 0x7F)
                return SLS_EINVAL;
            if (dst != NULL)
                field_put(dst, (e < 0x20 || e == 0x7F) ? '?' : e);
            k += 2;
            continue;
        }
        if (c == '\r' || c == '\n') {
            size_t f = fold_at(t, k);
            if (f == 0)
                return SLS_EINVAL;
            if (dst != NULL)
                field_put(dst, ' ');
            k += f;
            while (is_wsp(peek(t, k)))
                k++;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return SLS_EINVAL;
        if (dst != NULL)
            field_put(dst, c == '\t' ? ' ' : c);
        k++;
    }
    if (dst != NULL)
        field_finish(dst);
    *i = k + 1;
    return 0;
}

/* RFC 3261 25.1: gen-value = token / host / quoted-string. A host is a
 * hostname or IPv4 address (token characters) or an IPv6 reference. *i is at
 * the first byte of the value. */
static int skip_gen_value(const struct txt *t, size_t *i)
{
    size_t k = *i;
    int c = peek(t, k);
    if (c == '"')
        return parse_quoted(t, i, NULL);
    if (c == '[') {
        size_t s = ++k;
        while (is_hex(peek(t, k)) || peek(t, k) == ':' || peek(t, k) == '.')
            k++;
        if (k == s || peek(t, k) != ']')
            return SLS_EINVAL;
        *i = k + 1;
        return 0;
    }
    size_t e = skip_token(t, k);
    if (e == k)
        return SLS_EINVAL;
    *i = e;
    return 0;
}

/* ------------------------------------------------------------------------
 * Reason (RFC 3326)
 * ------------------------------------------------------------------------ */

/* RFC 3326 2: reason-value = protocol *(SEMI reason-params), protocol =
 * "SIP" / "Q.850" / token, reason-params = protocol-cause / reason-text /
 * reason-extension. *i is at the protocol; on success it is at the first
 * byte after the value and its trailing white space. */
static int parse_reason_value(const struct txt *t, size_t *i, sls_reason_hdr *r)
{
    memset(r, 0, sizeof *r);
    size_t s = *i, e = skip_token(t, s);
    if (e == s)
        return SLS_EINVAL;
    if (token_eq(t, s, e, "SIP"))
        r->protocol = SLS_REASON_SIP;
    else if (token_eq(t, s, e, "Q.850"))
        r->protocol = SLS_REASON_Q850;
    else
        r->protocol = SLS_REASON_OTHER;
    struct field f;
    field_init(&f, r->protocol_name, sizeof r->protocol_name);
    for (size_t k = s; k < e; k++)
        field_put(&f, peek(t, k));
    field_finish(&f);

    int has_text = 0;
    size_t k = skip_sws(t, e);
    while (peek(t, k) == ';') {
        size_t ns = skip_sws(t, k + 1), ne = skip_token(t, ns);
        if (ne == ns)
            return SLS_EINVAL;
        int is_cause = token_eq(t, ns, ne, "cause");
        int is_text = token_eq(t, ns, ne, "text");
        k = skip_sws(t, ne);
        if (peek(t, k) != '=') {
            /* A flag parameter is a valid generic-param, but cause and
             * text always carry a value. */
            if (is_cause || is_text)
                return SLS_EINVAL;
            continue;
        }
        k = skip_sws(t, k + 1);
        if (is_cause) {
            /* A repeated cause is ambiguous: refuse rather than guess. */
            if (r->has_cause)
                return SLS_EINVAL;
            size_t ds = k, de = skip_digits(t, k);
            uint64_t v;
            /* RFC 3326 2: cause = 1*DIGIT; SIP codes and Q.850 values both
             * fit far below 65535, which bounds the field. */
            if (sls__parse_u64(t->p + ds, de - ds, 65535, &v) != 0)
                return SLS_EINVAL;
            r->cause = (unsigned)v;
            r->has_cause = 1;
            k = de;
        } else if (is_text) {
            if (has_text)
                return SLS_EINVAL;
            field_init(&f, r->text, sizeof r->text);
            if (parse_quoted(t, &k, &f) != 0)
                return SLS_EINVAL;
            has_text = 1;
        } else if (skip_gen_value(t, &k) != 0) {
            return SLS_EINVAL;
        }
        k = skip_sws(t, k);
    }
    *i = k;
    return 0;
}

int sls_reason_parse(const char *value, size_t len, sls_reason_hdr *out)
{
    if (out == NULL)
        return SLS_EINVAL;
    memset(out, 0, sizeof *out);
    if (value == NULL)
        return SLS_EINVAL;
    const struct txt t = {value, len};
    sls_reason_hdr cur;
    int have = 0;
    size_t i = skip_sws(&t, 0);
    /* RFC 3326 2: Reason = "Reason" HCOLON reason-value *(COMMA
     * reason-value). Every value is checked, so a broken list is refused as
     * a whole rather than half-used. */
    for (;;) {
        if (parse_reason_value(&t, &i, &cur) != 0) {
            memset(out, 0, sizeof *out);
            return SLS_EINVAL;
        }
        /* RFC 3326 2 allows one value per protocol in a message; the
         * Q.850 one is the most precise account of a PSTN failure, so it
         * wins over a SIP one that may only restate the status code. */
        if (!have || (out->protocol != SLS_REASON_Q850 &&
                      cur.protocol == SLS_REASON_Q850)) {
            *out = cur;
            have = 1;
        }
        if (peek(&t, i) < 0)
            return 0;
        if (peek(&t, i) != ',') {
            memset(out, 0, sizeof *out);
            return SLS_EINVAL;
        }
        i = skip_sws(&t, i + 1);
    }
}

/* ------------------------------------------------------------------------
 * Warning (RFC 3261 20.43)
 * ------------------------------------------------------------------------ */

/* RFC 3261 25.1: warn-agent = hostport / pseudonym, hostport = host [ ":"
 * port ], pseudonym = token. *i is at its first byte. */
static int parse_warn_agent(const struct txt *t, size_t *i, char *dst, size_t dstsize)
{
    size_t s = *i, k = s;
    if (peek(t, k) == '[') {
        /* IPv6reference = "[" IPv6address "]" (RFC 3261 25.1). */
        k++;
        while (is_hex(peek(t, k)) || peek(t, k) == ':' || peek(t, k) == '.')
            k++;
        if (k == s + 1 || peek(t, k) != ']')
            return SLS_EINVAL;
        k++;
    } else {
        k = skip_token(t, k);
        if (k == s)
            return SLS_EINVAL;
    }
    if (peek(t, k) == ':') {
        size_t ps = k + 1, pe = skip_digits(t, ps);
        uint64_t port;
        if (sls__parse_u64(t->p + ps, pe - ps, 65535, &port) != 0)
            return SLS_EINVAL;
        k = pe;
    }
    struct field f;
    field_init(&f, dst, dstsize);
    for (size_t j = s; j < k; j++)
        field_put(&f, peek(t, j));
    field_finish(&f);
    *i = k;
    return 0;
}

int sls_warning_parse(const char *value, size_t len, sls_warning_hdr *out)
{
    if (out == NULL)
        return SLS_EINVAL;
    memset(out, 0, sizeof *out);
    if (value == NULL)
        return SLS_EINVAL;
    const struct txt t = {value, len};
    sls_warning_hdr w;
    memset(&w, 0, sizeof w);

    /* RFC 3261 25.1: warning-value = warn-code SP warn-agent SP warn-text,
     * warn-code = 3DIGIT. A wider run of white space is accepted: it is
     * harmless and common. */
    size_t k = skip_sws(&t, 0);
    size_t ds = k, de = skip_digits(&t, k);
    uint64_t code;
    if (de - ds != 3 || sls__parse_u64(value + ds, 3, 999, &code) != 0)
        return SLS_EINVAL;
    /* RFC 3261 20.43: only 3xx codes are defined for SIP (1xx/2xx are HTTP
     * cache warnings, meaningless here). */
    if (code < 300 || code > 399)
        return SLS_EINVAL;
    w.code = (unsigned)code;

    k = skip_sws(&t, de);
    if (k == de)
        return SLS_EINVAL;
    if (parse_warn_agent(&t, &k, w.agent, sizeof w.agent) != 0)
        return SLS_EINVAL;
    size_t a = k;
    k = skip_sws(&t, k);
    if (k == a)
        return SLS_EINVAL;
    struct field f;
    field_init(&f, w.text, sizeof w.text);
    if (parse_quoted(&t, &k, &f) != 0)
        return SLS_EINVAL;

    /* Only the first warning-value is parsed; what follows must at least
     * start another one (RFC 3261 20.43: COMMA-separated). */
    k = skip_sws(&t, k);
    if (peek(&t, k) >= 0 && peek(&t, k) != ',')
        return SLS_EINVAL;
    *out = w;
    return 0;
}

/* ------------------------------------------------------------------------
 * Retry-After (RFC 3261 20.33)
 * ------------------------------------------------------------------------ */

/* RFC 3261 25.1: comment = LPAREN *(ctext / quoted-pair / comment) RPAREN,
 * ctext = %x21-27 / %x2A-5B / %x5D-7E / UTF8-NONASCII / LWS. Nesting is
 * tracked with a counter, not recursion, so depth costs no stack. */
static int skip_comment(const struct txt *t, size_t *i)
{
    size_t k = *i, depth = 0;
    for (;;) {
        int c = peek(t, k);
        if (c < 0)
            return SLS_EINVAL;
        if (c == '(') {
            depth++;
            k++;
        } else if (c == ')') {
            if (depth == 0)
                return SLS_EINVAL;
            k++;
            if (--depth == 0)
                break;
        } else if (c == '\\') {
            int e = peek(t, k + 1);
            if (e < 0 || e == '\n' || e == '\r' || e > 0x7F)
                return SLS_EINVAL;
            k += 2;
        } else if (c == '\r' || c == '\n') {
            size_t f = fold_at(t, k);
            if (f == 0)
                return SLS_EINVAL;
            k += f;
        } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
            return SLS_EINVAL;
        } else {
            k++;
        }
    }
    *i = k;
    return 0;
}

int sls_retry_after_parse(const char *value, size_t len, uint32_t *seconds)
{
    if (seconds == NULL || value == NULL)
        return SLS_EINVAL;
    const struct txt t = {value, len};

    /* RFC 3261 25.1: Retry-After = delta-seconds [ comment ] *( SEMI
     * retry-param ), retry-param = ("duration" EQUAL delta-seconds) /
     * generic-param. */
    size_t k = skip_sws(&t, 0);
    size_t ds = k, de = skip_digits(&t, k);
    if (de == ds)
        return SLS_EINVAL;
    uint64_t v = 0;
    /* The range is checked only once the whole value is known to be
     * well formed: "99999999999x" is garbage, not an out-of-range number. */
    int range = sls__parse_u64(value + ds, de - ds, UINT32_MAX, &v);

    k = skip_sws(&t, de);
    if (peek(&t, k) == '(') {
        if (skip_comment(&t, &k) != 0)
            return SLS_EINVAL;
        k = skip_sws(&t, k);
    }
    while (peek(&t, k) == ';') {
        size_t ns = skip_sws(&t, k + 1), ne = skip_token(&t, ns);
        if (ne == ns)
            return SLS_EINVAL;
        int is_duration = token_eq(&t, ns, ne, "duration");
        k = skip_sws(&t, ne);
        if (peek(&t, k) == '=') {
            k = skip_sws(&t, k + 1);
            if (is_duration) {
                size_t e = skip_digits(&t, k);
                if (e == k)
                    return SLS_EINVAL;
                k = e;
            } else if (skip_gen_value(&t, &k) != 0) {
                return SLS_EINVAL;
            }
        } else if (is_duration) {
            return SLS_EINVAL;
        }
        k = skip_sws(&t, k);
    }
    if (peek(&t, k) >= 0)
        return SLS_EINVAL;
    if (range != 0)
        return range;
    *seconds = (uint32_t)v;
    return 0;
}
