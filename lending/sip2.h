/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SIP2 (3M Standard Interchange Protocol, version 2.00) messages: building requests and answers,
 * parsing and validating them. Pure: no I/O, no allocation, no logging. The lending service and
 * `qrgatectl ils check` use it; qrgated never links it (it never handles the ILS's data).
 *
 * A message is a two-digit command identifier, its fixed-length fields, its variable-length
 * fields ("XXvalue|", XX the field identifier), and — with error detection, which we always use —
 * "AYn" (sequence number, one digit) and "AZhhhh" (checksum), then a carriage return. The
 * request-resend messages (96/97) carry a checksum and no sequence number. docs/sip2.md lists the
 * fields of every message as built and as required when parsed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest message we build or accept, terminator included. The specification sets no limit; a
 * patron information answer listing items is the longest real message, and some hundred items of
 * 40 characters fit. A peer that sends more is broken or hostile, and gets an error. */
#define SIP2_MSG_MAX 8192
#define SIP2_FIXED_MAX 12  /* most fixed-length fields of a message (98 has 10) */
#define SIP2_FIELDS_MAX 64 /* most variable fields we keep from one message */
#define SIP2_DATE_LEN 18   /* YYYYMMDDZZZZHHMMSS */

typedef enum Sip2Command {
        SIP2_PATRON_STATUS,      /* 23 */
        SIP2_PATRON_STATUS_RESP, /* 24 */
        SIP2_CHECKOUT,           /* 11 */
        SIP2_CHECKOUT_RESP,      /* 12 */
        SIP2_CHECKIN,            /* 09 */
        SIP2_CHECKIN_RESP,       /* 10 */
        SIP2_SC_STATUS,          /* 99 */
        SIP2_ACS_STATUS,         /* 98 */
        SIP2_REQUEST_SC_RESEND,  /* 96: the ACS asks us to send our last message again */
        SIP2_REQUEST_ACS_RESEND, /* 97: we ask the ACS to send its last message again */
        SIP2_LOGIN,              /* 93 */
        SIP2_LOGIN_RESP,         /* 94 */
        SIP2_PATRON_INFO,        /* 63 */
        SIP2_PATRON_INFO_RESP,   /* 64 */
        SIP2_ITEM_INFO,          /* 17 */
        SIP2_ITEM_INFO_RESP,     /* 18 */
        SIP2_RENEW,              /* 29 */
        SIP2_RENEW_RESP,         /* 30 */
        _SIP2_COMMAND_MAX,
        _SIP2_COMMAND_INVALID = -1,
} Sip2Command;

/* "93", ... */
const char *sip2_command_id(Sip2Command c);
/* "login", "checkout response", ... */
const char *sip2_command_name(Sip2Command c);
/* The command of a two-character identifier; _SIP2_COMMAND_INVALID for another. */
Sip2Command sip2_command_from_id(const char *id);
/* The answer a request expects (SIP2_LOGIN -> SIP2_LOGIN_RESP); _SIP2_COMMAND_INVALID for an
 * answer or a resend request. */
Sip2Command sip2_command_response(Sip2Command request);

/* Why a message was refused. Each has a stable name (sip2_error_to_string()) for the tools'
 * "ils: failed ..." lines and docs/sip2.md. */
typedef enum Sip2Error {
        SIP2_OK,
        SIP2_E_TOO_LONG,          /* more than SIP2_MSG_MAX bytes */
        SIP2_E_NO_TERMINATOR,     /* does not end with CR */
        SIP2_E_NOT_PRINTABLE,     /* a control character, DEL, or bytes that are not UTF-8 */
        SIP2_E_UNKNOWN_COMMAND,   /* the first two characters name no SIP2 message */
        SIP2_E_UNEXPECTED,        /* a valid message, but not the answer to what we asked */
        SIP2_E_FIXED_LENGTH,      /* the fixed-length part is too short */
        SIP2_E_FIXED_VALUE,       /* a fixed-length field holds a value the spec does not allow */
        SIP2_E_BAD_DATE,          /* a date field is not YYYYMMDDZZZZHHMMSS */
        SIP2_E_BAD_FIELD,         /* a variable field without identifier or without '|' */
        SIP2_E_DUPLICATE_FIELD,   /* a field that may appear once appears twice */
        SIP2_E_MISSING_FIELD,     /* a required field is missing */
        SIP2_E_TOO_MANY_FIELDS,   /* more than SIP2_FIELDS_MAX variable fields */
        SIP2_E_NO_CHECKSUM,       /* no "AZhhhh" at the end */
        SIP2_E_BAD_CHECKSUM,      /* the checksum does not match the message */
        SIP2_E_NO_SEQUENCE,       /* no "AYn" before the checksum */
        SIP2_E_WRONG_SEQUENCE,    /* an answer carrying another sequence number than our request */
        _SIP2_ERROR_MAX,
} Sip2Error;

const char *sip2_error_to_string(Sip2Error e);

typedef struct Sip2ParseError {
        Sip2Error code;
        char detail[160]; /* what exactly, in words; never a field's value */
} Sip2ParseError;

typedef struct Sip2Field {
        char id[3];        /* "AO", NUL-terminated */
        const char *value; /* NUL-terminated, in the message's storage */
} Sip2Field;

/* A parsed message. Its strings point into its own storage: valid as long as the Sip2Msg is. */
typedef struct Sip2Msg {
        Sip2Command command;
        const char *fixed[SIP2_FIXED_MAX]; /* in the order of the spec; see sip2_fixed_name() */
        size_t n_fixed;
        Sip2Field fields[SIP2_FIELDS_MAX]; /* in the order received */
        size_t n_fields;
        int sequence; /* 0-9; -1 for 96/97 */
        char storage[SIP2_MSG_MAX * 2];
} Sip2Msg;

/* The 16-bit checksum of n bytes (SIP2 "Error detection": the two's complement of their sum), as
 * it goes after "AZ". */
uint16_t sip2_checksum(const char *p, size_t n);

/* Parses one message of len bytes (its CR included). expect_sequence: the sequence number the
 * answer must carry (0-9), or -1 to take any (a server reading requests). On success returns 0
 * and fills *ret. Otherwise returns -EBADMSG and says why in *ret_error; *ret is then undefined. */
int sip2_parse(const char *data, size_t len, int expect_sequence, Sip2Msg *ret, Sip2ParseError *ret_error);

/* The first value of field id in m; NULL when absent. */
const char *sip2_msg_get(const Sip2Msg *m, const char *id);
/* The fixed field of m named name (as in docs/sip2.md: "ok", "transaction date", ...); NULL
 * when m has none of that name. */
const char *sip2_msg_fixed(const Sip2Msg *m, const char *name);
/* The name of fixed field i of command c; NULL past its last. */
const char *sip2_fixed_name(Sip2Command c, size_t i);

/* Building a message: begin, then each fixed field in order, then the variable fields, then end.
 * A value that would break the framing (a '|', a control character, too long) makes the writer
 * fail; end reports it. Callers build in the spec's order (the typed builders below do). */
typedef struct Sip2Writer {
        char buf[SIP2_MSG_MAX + 1];
        size_t len;
        int error; /* first error, negative errno */
} Sip2Writer;

void sip2_writer_begin(Sip2Writer *w, Sip2Command c);
/* A fixed-length field, exactly len characters of value (which must have that length). */
void sip2_put_fixed(Sip2Writer *w, const char *value, size_t len);
/* A date field: YYYYMMDDZZZZHHMMSS in UTC ("   Z" zone) for t; t < 0 gives 18 blanks (the
 * spec's "no date", e.g. an nb due date). */
void sip2_put_date(Sip2Writer *w, int64_t t);
/* A variable field "IDvalue|". value NULL omits it (an optional field). */
void sip2_put_field(Sip2Writer *w, const char *id, const char *value);
/* Ends the message: with sequence 0-9, "AYn"; then "AZhhhh" and CR. sequence -1: only the
 * checksum (96/97). Returns the length (*ret points into w->buf, NUL-terminated) or the first
 * error: -EINVAL (a value with '|' or a control character, a fixed field of the wrong length),
 * -EMSGSIZE. */
int sip2_writer_end(Sip2Writer *w, int sequence, const char **ret);

/* Formats t as a SIP2 date (UTC) into buf (at least SIP2_DATE_LEN + 1 bytes). */
void sip2_format_date(int64_t t, char *buf);
/* A SIP2 date (a due date, AH) as unix seconds: the zone "   Z" is UTC, four blanks the local
 * time (the spec's "local time"); other zones, and text that is no SIP2 date (ILSs write due
 * dates their own way too), are -EINVAL. */
int sip2_parse_date(const char *s, int64_t *ret);
/* Whether s (18 characters) is a SIP2 date; blanks_ok: 18 blanks are too. */
bool sip2_date_valid(const char *s, bool blanks_ok);

/* The typed requests the client sends (the station's, in the spec's field order). Strings are
 * borrowed; NULL optional fields are omitted. */
typedef struct Sip2Login {
        const char *user, *password, *location; /* CN, CO, CP (location optional) */
} Sip2Login;

int sip2_build_login(Sip2Writer *w, const Sip2Login *l, int sequence, const char **ret);
int sip2_build_sc_status(Sip2Writer *w, int sequence, const char **ret);
int sip2_build_request_acs_resend(Sip2Writer *w, const char **ret);

typedef struct Sip2Request {
        const char *institution; /* AO */
        const char *patron;      /* AA */
        const char *item;        /* AB */
        const char *location;    /* AP (checkin: current location) */
        const char *terminal_password; /* AC: "" when the ILS wants none */
        const char *patron_password;   /* AD: NULL (omitted) or "" */
        int64_t now;             /* transaction date */
        bool no_block;           /* a transaction done offline and sent later (store-and-forward) */
        int64_t no_block_due;    /* nb due date given offline; -1 none */
} Sip2Request;

int sip2_build_patron_status(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);
int sip2_build_patron_info(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);
int sip2_build_checkout(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);
int sip2_build_checkin(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);
int sip2_build_renew(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);
int sip2_build_item_info(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret);

/* Copies message text into buf (size bytes) for showing it, with the value of every secret
 * field (CO login password, AC terminal password, AD patron password) replaced by "***", and the
 * CR left out. Never fails: truncates. */
void sip2_mask(const char *msg, size_t len, char *buf, size_t size);

/* The patron status positions (fixed field "patron status", 14 characters 'Y' or ' '). */
typedef enum Sip2PatronStatusBit {
        SIP2_PS_CHARGE_DENIED = 0,
        SIP2_PS_RENEWAL_DENIED = 1,
        SIP2_PS_RECALL_DENIED = 2,
        SIP2_PS_HOLD_DENIED = 3,
        SIP2_PS_CARD_LOST = 4,
        SIP2_PS_TOO_MANY_CHARGED = 5,
        SIP2_PS_TOO_MANY_OVERDUE = 6,
        SIP2_PS_TOO_MANY_RENEWALS = 7,
        SIP2_PS_TOO_MANY_CLAIMS = 8,
        SIP2_PS_TOO_MANY_LOST = 9,
        SIP2_PS_EXCESSIVE_FINES = 10,
        SIP2_PS_EXCESSIVE_FEES = 11,
        SIP2_PS_RECALL_OVERDUE = 12,
        SIP2_PS_TOO_MANY_BILLED = 13,
        _SIP2_PS_MAX = 14,
} Sip2PatronStatusBit;

/* Words for a patron status position ("charge privileges denied"). */
const char *sip2_patron_status_name(Sip2PatronStatusBit b);
