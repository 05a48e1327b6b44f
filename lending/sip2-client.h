/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A SIP2 client: one connection to the library's ILS, request by request, each with bounded
 * timeouts and the retry policy of docs/sip2.md. Blocking (poll() with deadlines): the lending
 * service runs it in its own process, one station at a time; `qrgatectl ils check` runs it as
 * is. Nothing here logs: every message sent and received, and every retry, goes to the trace
 * callback (secrets masked as "***"), and every failure comes back as a Sip2ClientError.
 *
 * The one promise: a loan, return or renewal is reported as done only when the ILS's answer to
 * that very request (its sequence number, a valid checksum, every required field) said so, for
 * that patron and that item. When the request may have reached the ILS but no such answer came,
 * the error says the outcome is unknown — the caller reconciles (item information) and never
 * assumes either way. */

#include <stdbool.h>
#include <stdint.h>

#include "core/macro.h"
#include "config/config.h"
#include "lending/sip2.h"

typedef struct Sip2ClientConfig {
        const char *host; /* a name or an address; TCP */
        uint16_t port;
        bool tls;         /* TLS over the TCP connection (TLS 1.2 at least, the certificate verified) */
        const char *tls_ca_file;     /* the certificates to trust (PEM); NULL: the system's */
        const char *tls_server_name; /* the name the certificate must have; NULL: host */
        const char *institution;       /* AO */
        const char *location;          /* CP at login, AP at checkin */
        const char *user, *password;   /* CN, CO (sip2_credential_load()) */
        const char *terminal_password; /* AC; NULL: "" */
        unsigned connect_timeout_ms;   /* TCP connect */
        unsigned reply_timeout_ms;     /* from the request sent to its whole answer */
        unsigned resend_max;           /* 97s (or answers to a 96) per request */
        unsigned reconnect_max;        /* reconnections per request that may be repeated */
} Sip2ClientConfig;

typedef enum Sip2Trace {
        SIP2_TRACE_SENT,     /* a message sent, masked */
        SIP2_TRACE_RECEIVED, /* a message received, masked (or what of it came) */
        SIP2_TRACE_EVENT,    /* connecting, a retry and why */
} Sip2Trace;

typedef void (*Sip2TraceFunc)(void *userdata, Sip2Trace kind, const char *text);

typedef enum Sip2Failure {
        SIP2_FAIL_NONE,
        SIP2_FAIL_CONNECT,       /* could not connect (name, refused, timeout) */
        SIP2_FAIL_LOGIN,         /* the ILS refused the login (94 with ok 0) */
        SIP2_FAIL_TIMEOUT,       /* no whole answer within reply_timeout_ms */
        SIP2_FAIL_DROPPED,       /* the ILS closed the connection */
        SIP2_FAIL_PROTOCOL,      /* an answer that is not valid SIP2 or not for our request */
        SIP2_FAIL_REFUSED,       /* a valid answer saying no (checkout ok 0, ...) */
        SIP2_FAIL_INVALID,       /* our own request could not be built (a value with '|', ...) */
        SIP2_FAIL_CONFIG,        /* the client's configuration cannot work (an unreadable CA file) */
        _SIP2_FAILURE_MAX,
} Sip2Failure;

typedef struct Sip2ClientError {
        Sip2Failure failure;
        Sip2Error protocol; /* SIP2_FAIL_PROTOCOL: which */
        bool outcome_unknown; /* the request may have been carried out by the ILS */
        char detail[256];     /* words for the operator; never a secret */
} Sip2ClientError;

const char *sip2_failure_to_string(Sip2Failure f);

typedef struct Sip2Client Sip2Client;

/* A client for cfg (its strings are copied). It connects on first use. Returns 0 and *ret
 * (free with sip2_client_free()), -EINVAL for a config without host, port or institution,
 * -ENOMEM. */
int sip2_client_new(const Sip2ClientConfig *cfg, Sip2Client **ret);
Sip2Client *sip2_client_free(Sip2Client *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Sip2Client *, sip2_client_free);

void sip2_client_set_trace(Sip2Client *c, Sip2TraceFunc f, void *userdata);

/* Connects and logs in (93/94), reconnecting within the policy. 0, or -errno with *e filled. */
int sip2_client_connect(Sip2Client *c, Sip2ClientError *e);
/* Closes the connection (the next request reconnects). */
void sip2_client_disconnect(Sip2Client *c);

/* Sends request cmd built from r (its institution, location and terminal password are filled
 * in from the config) and returns its answer in *ret, checked: the right message, its sequence
 * number, its checksum, its fields. Applies the retry policy. 0, or -errno with *e filled
 * (never SIP2_FAIL_REFUSED: judging the answer is the typed calls' job). */
int sip2_client_request(Sip2Client *c, Sip2Command cmd, const Sip2Request *r, Sip2Msg *ret, Sip2ClientError *e);

/* A loan (checkout), return (checkin) or renewal as the ILS confirmed it. */
typedef struct Sip2Result {
        bool ok;
        char due[64];     /* AH as the ILS wrote it ("" for a checkin) */
        char title[128];  /* AJ */
        char message[256]; /* AF, the ILS's words (a refusal's reason) */
} Sip2Result;

/* 0 and *ret when the ILS confirmed the checkout of item to patron; -EPERM (SIP2_FAIL_REFUSED,
 * *ret holds its words) when it refused; another -errno when there is no valid answer
 * (e->outcome_unknown says whether the ILS may have lent it nonetheless). */
int sip2_client_checkout(Sip2Client *c, const char *patron, const char *item, int64_t now, Sip2Result *ret,
                         Sip2ClientError *e);
int sip2_client_checkin(Sip2Client *c, const char *item, int64_t now, Sip2Result *ret, Sip2ClientError *e);
int sip2_client_renew(Sip2Client *c, const char *patron, const char *item, int64_t now, Sip2Result *ret,
                      Sip2ClientError *e);

/* A transaction the station already carried out without the ILS (store and forward: lent while
 * the ILS was away, or its answer lost when it went): sent with "no block" Y, so that the ILS
 * records it rather than judging it by today's blocks, with the time it was made as its
 * transaction date and, for a loan or renewal, the due date the station gave the patron as the
 * "nb due date". cmd is SIP2_CHECKOUT, SIP2_CHECKIN (patron unused) or SIP2_RENEW; -EINVAL
 * otherwise. Answers as the calls above. */
typedef struct Sip2Forward {
        int64_t made; /* when the station made it: the transaction date */
        int64_t due;  /* the due date it printed (checkout, renew) */
} Sip2Forward;
int sip2_client_forward(Sip2Client *c, Sip2Command cmd, const char *patron, const char *item, const Sip2Forward *fw,
                        Sip2Result *ret, Sip2ClientError *e);

/* An item's circulation status (spec, Item Information Response, "circulation status"). Only
 * the ones the station decides on are named; any two digits 01-13 are accepted. */
#define SIP2_CIRC_AVAILABLE 3
#define SIP2_CIRC_CHARGED 4
#define SIP2_CIRC_CHARGED_NO_RECALL 5 /* charged; not to be recalled until the earliest recall date */
#define SIP2_CIRC_RECALLED 7          /* charged, and recalled */

/* Whether status says the item is lent to someone (04, 05, 07). SIP2 does not say to whom. */
bool sip2_circulation_charged(int status);

typedef struct Sip2ItemInfo {
        int circulation;  /* 1-13 */
        char due[64];     /* AH as the ILS wrote it; "" when it gave none */
        char title[128];  /* AJ */
        char message[256]; /* AF */
} Sip2ItemInfo;

/* Item information (17/18) about item, checked: the answer must name that item and carry a
 * circulation status of two digits 01-13 (else SIP2_FAIL_PROTOCOL, -EBADMSG). Repeated on a new
 * connection like any request that changes nothing. 0 and *ret, or -errno with *e filled. */
int sip2_client_item_info(Sip2Client *c, const char *item, int64_t now, Sip2ItemInfo *ret, Sip2ClientError *e);

/* A client for the configuration's "ils" section, its login read from the credential the section
 * names: 0, or -errno with *ret_why saying what failed (static words). */
int sip2_client_new_from_config(const IlsConf *ils, Sip2Client **ret, const char **ret_why);

/* Loads the SIP2 login from a credential: name is a systemd credential's name (no '/': read from
 * $CREDENTIALS_DIRECTORY) or a file's path. The file: the login user id (CN) on its first line,
 * the password (CO) on its second. It must be a regular file (not a symbolic link), of at most
 * 1 KiB, and not readable by others. Returns 0 with *ret_user and *ret_password (free with
 * sip2_secret_free()), or -errno with *ret_error (a static string) saying what is wrong. */
int sip2_credential_load(const char *name, char **ret_user, char **ret_password, const char **ret_error);
/* Wipes and frees a secret string. */
void sip2_secret_free(char *s);
