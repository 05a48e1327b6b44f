/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIP2 client's connection and retry policy (docs/sip2.md, "Errors and retries"). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lending/sip2-client.h"
#include "lending/sip2-transport.h"

struct Sip2Client {
        Sip2ClientConfig cfg;
        char *host, *institution, *location, *user, *password, *terminal_password;
        char *tls_ca_file, *tls_server_name;
        const Sip2Transport *transport;
        void *tls_context; /* made at the first connection: a bad CA file is reported there */
        Sip2Conn conn;
        unsigned sequence; /* the next request's */
        char in[SIP2_MSG_MAX + 1];
        size_t in_len;
        Sip2TraceFunc trace;
        void *trace_data;
        Sip2Writer w;
};

static const char *const failure_names[_SIP2_FAILURE_MAX] = {
        [SIP2_FAIL_NONE] = "none",         [SIP2_FAIL_CONNECT] = "connect",
        [SIP2_FAIL_LOGIN] = "login",       [SIP2_FAIL_TIMEOUT] = "timeout",
        [SIP2_FAIL_DROPPED] = "dropped",   [SIP2_FAIL_PROTOCOL] = "protocol",
        [SIP2_FAIL_REFUSED] = "refused",   [SIP2_FAIL_INVALID] = "invalid-request",
        [SIP2_FAIL_CONFIG] = "configuration",
};

const char *sip2_failure_to_string(Sip2Failure f) {
        return f >= 0 && f < _SIP2_FAILURE_MAX ? failure_names[f] : NULL;
}

#define now_ms sip2_now_ms

_printf_(3, 4) static void trace(Sip2Client *c, Sip2Trace kind, const char *fmt, ...) {
        char buf[SIP2_MSG_MAX + 256];
        va_list ap;

        if (!c->trace)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        c->trace(c->trace_data, kind, buf);
}

/* A message as shown: secret fields masked by the codec, and the password masked wherever else
 * it might stand (an ILS echoing it back, a message too broken to split into fields). */
static void trace_message(Sip2Client *c, Sip2Trace kind, const char *m, size_t n) {
        char shown[SIP2_MSG_MAX + 32];
        char *p;

        if (!c->trace)
                return;
        sip2_mask(m, n, shown, sizeof(shown));
        if (c->password && c->password[0])
                for (p = shown; (p = strstr(p, c->password)); ) {
                        size_t l = strlen(c->password);
                        memset(p, '*', l);
                        p += l; /* past it: a password of stars would be found again forever */
                }
        c->trace(c->trace_data, kind, shown);
}

_printf_(4, 5) static int fail(Sip2ClientError *e, Sip2Failure f, int r, const char *fmt, ...) {
        va_list ap;

        e->failure = f;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        va_end(ap);
        return r;
}

static char *dup_or_null(const char *s, bool *oom) {
        char *d;
        if (!s)
                return NULL;
        d = strdup(s);
        if (!d)
                *oom = true;
        return d;
}

int sip2_client_new(const Sip2ClientConfig *cfg, Sip2Client **ret) {
        Sip2Client *c;
        bool oom = false;

        if (!cfg->host || !cfg->host[0] || cfg->port == 0 || !cfg->institution)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->cfg = *cfg;
        c->conn.fd = -EBADF;
        c->transport = cfg->tls ? &sip2_transport_tls : &sip2_transport_tcp;
        c->tls_ca_file = dup_or_null(cfg->tls_ca_file, &oom);
        c->tls_server_name = dup_or_null(cfg->tls_server_name ?: cfg->host, &oom);
        c->host = dup_or_null(cfg->host, &oom);
        c->institution = dup_or_null(cfg->institution, &oom);
        c->location = dup_or_null(cfg->location, &oom);
        c->user = dup_or_null(cfg->user ?: "", &oom);
        c->password = dup_or_null(cfg->password ?: "", &oom);
        c->terminal_password = dup_or_null(cfg->terminal_password ?: "", &oom);
        if (oom) {
                sip2_client_free(c);
                return -ENOMEM;
        }
        if (c->cfg.connect_timeout_ms == 0)
                c->cfg.connect_timeout_ms = 5000;
        if (c->cfg.reply_timeout_ms == 0)
                c->cfg.reply_timeout_ms = 10000;
        *ret = c;
        return 0;
}

Sip2Client *sip2_client_free(Sip2Client *c) {
        if (!c)
                return NULL;
        sip2_client_disconnect(c);
        free(c->host);
        free(c->tls_ca_file);
        free(c->tls_server_name);
        sip2_tls_context_free(c->tls_context);
        free(c->institution);
        free(c->location);
        free(c->user);
        sip2_secret_free(c->password);
        sip2_secret_free(c->terminal_password);
        explicit_bzero(c->w.buf, sizeof(c->w.buf)); /* the last login held the password */
        free(c);
        return NULL;
}

void sip2_client_set_trace(Sip2Client *c, Sip2TraceFunc f, void *userdata) {
        c->trace = f;
        c->trace_data = userdata;
}

void sip2_client_disconnect(Sip2Client *c) {
        if (c->conn.fd >= 0) {
                c->transport->close(&c->conn);
                close(c->conn.fd);
        }
        c->conn = (Sip2Conn) { .fd = -EBADF };
        c->in_len = 0;
}

static int tcp_connect(Sip2Client *c, Sip2ClientError *e) {
        /* No AI_ADDRCONFIG: with it glibc returns no IPv4 address on a machine whose only one is
         * the loopback's, and a test ILS on 127.0.0.1 in a network namespace would be unreachable. */
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
        char port[8];
        int r, err = 0, fd = -EBADF;

        if (c->cfg.tls && !c->tls_context) {
                r = sip2_tls_context_new(c->tls_ca_file, &c->tls_context, e->detail, sizeof(e->detail));
                if (r < 0) {
                        e->failure = SIP2_FAIL_CONFIG;
                        return r;
                }
        }
        snprintf(port, sizeof(port), "%u", c->cfg.port);
        r = getaddrinfo(c->host, port, &hints, &ai);
        if (r != 0)
                return fail(e, SIP2_FAIL_CONNECT, -EHOSTUNREACH, "cannot resolve %s: %s", c->host, gai_strerror(r));
        /* One deadline for every address of the name: the bound is the timeout, not a multiple. */
        int64_t deadline = now_ms() + c->cfg.connect_timeout_ms;
        for (struct addrinfo *a = ai; a; a = a->ai_next) {
                struct pollfd p;
                socklen_t len = sizeof(err);

                fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
                if (fd < 0) {
                        err = errno;
                        continue;
                }
                if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
                        err = errno;
                        close(fd), fd = -EBADF;
                        continue;
                }
                p = (struct pollfd) { .fd = fd, .events = POLLOUT };
                do
                        r = poll(&p, 1, (int) MAX(deadline - now_ms(), (int64_t) 0));
                while (r < 0 && errno == EINTR);
                if (r == 0)
                        err = ETIMEDOUT;
                else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                        err = errno;
                if (err == 0)
                        break;
                close(fd), fd = -EBADF;
        }
        freeaddrinfo(ai);
        if (fd < 0)
                return fail(e, SIP2_FAIL_CONNECT, -(err ?: EHOSTUNREACH), "cannot connect to %s port %u: %s", c->host,
                            c->cfg.port, strerror(err ?: EHOSTUNREACH));
        /* One request, one answer: send each at once. */
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof(int));
        c->conn = (Sip2Conn) { .fd = fd };
        c->in_len = 0;
        r = c->transport->open(&c->conn, c->tls_context, c->tls_server_name, sip2_now_ms() + c->cfg.connect_timeout_ms,
                               e->detail, sizeof(e->detail));
        if (r < 0) {
                close(fd);
                c->conn = (Sip2Conn) { .fd = -EBADF };
                e->failure = SIP2_FAIL_CONNECT;
                return r;
        }
        return 0;
}

static int send_all(Sip2Client *c, const char *m, size_t n, int64_t deadline, Sip2ClientError *e) {
        trace_message(c, SIP2_TRACE_SENT, m, n);
        while (n > 0) {
                ssize_t k = c->transport->send(&c->conn, m, n);
                int r;

                if (k > 0) {
                        m += k, n -= (size_t) k;
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno != EAGAIN)
                        return fail(e, SIP2_FAIL_DROPPED, -errno, "sending: %s", strerror(errno));
                r = sip2_wait(c->conn.fd, c->conn.want, deadline);
                if (r == 0)
                        return fail(e, SIP2_FAIL_TIMEOUT, -ETIMEDOUT, "the ILS does not take our message");
                if (r < 0)
                        return fail(e, SIP2_FAIL_DROPPED, r, "sending: %s", strerror(-r));
        }
        return 0;
}

/* Reads one message (up to and including its CR) into c->in; returns its length. A single LF
 * right after a CR is dropped: it stands between messages, not in one (some ILSs end lines with
 * CR LF), and is never part of a value. */
static int receive(Sip2Client *c, int64_t deadline, Sip2ClientError *e) {
        for (;;) {
                char *cr = memchr(c->in, '\r', c->in_len);
                ssize_t k;
                int r;

                if (cr)
                        return (int) (cr - c->in + 1);
                if (c->in_len >= SIP2_MSG_MAX) {
                        trace(c, SIP2_TRACE_RECEIVED, "(%zu bytes without a carriage return)", c->in_len);
                        e->protocol = SIP2_E_TOO_LONG;
                        return fail(e, SIP2_FAIL_PROTOCOL, -EBADMSG, "answer longer than %d bytes", SIP2_MSG_MAX);
                }
                /* Read first, wait after: TLS may hold decrypted bytes that poll() cannot see. */
                k = c->transport->recv(&c->conn, c->in + c->in_len, SIP2_MSG_MAX - c->in_len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        r = sip2_wait(c->conn.fd, c->conn.want, deadline);
                        if (r > 0)
                                continue;
                        if (r == 0) {
                                if (c->in_len > 0)
                                        trace(c, SIP2_TRACE_RECEIVED, "(%zu bytes, then nothing)", c->in_len);
                                return fail(e, SIP2_FAIL_TIMEOUT, -ETIMEDOUT, "no whole answer within %u ms%s",
                                            c->cfg.reply_timeout_ms, c->in_len > 0 ? " (it stalled mid-message)" : "");
                        }
                        k = -1, errno = -r;
                }
                if (k <= 0) {
                        if (c->in_len > 0)
                                trace(c, SIP2_TRACE_RECEIVED, "(%zu bytes, then the connection closed)", c->in_len);
                        return fail(e, SIP2_FAIL_DROPPED, k < 0 ? -errno : -ECONNRESET,
                                    "the ILS closed the connection%s", c->in_len > 0 ? " mid-message" : "");
                }
                if (c->in_len == 0 && c->in[0] == '\n') {
                        memmove(c->in, c->in + 1, (size_t) k - 1);
                        k--;
                }
                c->in_len += (size_t) k;
        }
}

static void consume(Sip2Client *c, size_t n) {
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
        if (c->in_len > 0 && c->in[0] == '\n')
                consume(c, 1);
}

/* Whether the ILS has closed an idle connection (it may, after its own timeout): reading shows
 * an end of file without waiting. Anything else waiting to be read is stale and is dropped. */
static bool connection_closed(Sip2Client *c) {
        char b[256];
        size_t dropped = 0;

        for (;;) {
                ssize_t k = c->transport->recv(&c->conn, b, sizeof(b));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return errno != EAGAIN;
                if (k == 0)
                        return true;
                trace(c, SIP2_TRACE_EVENT, "dropping %zd bytes nobody asked for", k);
                /* An ILS that keeps sending unasked is broken: taken as closed, not read forever. */
                dropped += (size_t) k;
                if (dropped > 4 * SIP2_MSG_MAX)
                        return true;
        }
}

static int build(Sip2Client *c, Sip2Command cmd, const Sip2Request *r, int seq, const char **out) {
        Sip2Request full = *r;

        full.institution = c->institution;
        full.location = c->location;
        full.terminal_password = c->terminal_password;
        switch (cmd) {
        case SIP2_LOGIN:
                return sip2_build_login(&c->w, &(Sip2Login) { c->user, c->password, c->location }, seq, out);
        case SIP2_SC_STATUS:
                return sip2_build_sc_status(&c->w, seq, out);
        case SIP2_PATRON_STATUS:
                return sip2_build_patron_status(&c->w, &full, seq, out);
        case SIP2_PATRON_INFO:
                return sip2_build_patron_info(&c->w, &full, seq, out);
        case SIP2_CHECKOUT:
                return sip2_build_checkout(&c->w, &full, seq, out);
        case SIP2_CHECKIN:
                return sip2_build_checkin(&c->w, &full, seq, out);
        case SIP2_RENEW:
                return sip2_build_renew(&c->w, &full, seq, out);
        case SIP2_ITEM_INFO:
                return sip2_build_item_info(&c->w, &full, seq, out);
        default:
                return -EINVAL;
        }
}

/* Whether repeating the request cannot change what the ILS holds. A checkout, checkin or renew
 * sent again after a lost answer could be carried out twice (a second renewal) or answered as
 * if it were new ("already on loan to you" for the loan just made): those are never repeated on
 * a new connection; the caller is told the outcome is unknown. */
static bool idempotent(Sip2Command cmd) {
        return cmd != SIP2_CHECKOUT && cmd != SIP2_CHECKIN && cmd != SIP2_RENEW;
}

/* One attempt on the current connection: send, then read until the answer is valid, asking for
 * a resend (97) when its checksum is wrong and sending again when the ILS asks (96). */
static int exchange(Sip2Client *c, Sip2Command cmd, const char *m, size_t n, int seq, Sip2Msg *ret,
                    Sip2ClientError *e) {
        Sip2Command want = sip2_command_response(cmd);
        unsigned resends = 0;
        int r;

        r = send_all(c, m, n, now_ms() + c->cfg.reply_timeout_ms, e);
        if (r < 0)
                return r;
        for (;;) {
                Sip2ParseError pe;
                int64_t deadline = now_ms() + c->cfg.reply_timeout_ms;
                int len = receive(c, deadline, e);

                if (len < 0)
                        return len;
                trace_message(c, SIP2_TRACE_RECEIVED, c->in, (size_t) len);
                r = sip2_parse(c->in, (size_t) len, seq, ret, &pe);
                consume(c, (size_t) len);
                if (r == 0 && ret->command == want)
                        return 0;
                if (r == 0 && ret->command == SIP2_REQUEST_SC_RESEND && resends < c->cfg.resend_max) {
                        /* The ILS could not read our message: the same one again, same sequence. */
                        resends++;
                        trace(c, SIP2_TRACE_EVENT, "the ILS asks for our message again (96): resending");
                        r = send_all(c, m, n, now_ms() + c->cfg.reply_timeout_ms, e);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (r < 0 && pe.code == SIP2_E_BAD_CHECKSUM && resends < c->cfg.resend_max) {
                        /* Spec, "Request ACS Resend": a message received with a wrong checksum
                         * is asked for again, never read. */
                        const char *again;
                        Sip2Writer w;
                        int k = sip2_build_request_acs_resend(&w, &again);
                        resends++;
                        trace(c, SIP2_TRACE_EVENT, "bad checksum (%s): asking the ILS to resend (97)", pe.detail);
                        r = send_all(c, again, (size_t) k, now_ms() + c->cfg.reply_timeout_ms, e);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (r < 0) {
                        e->protocol = pe.code;
                        return fail(e, SIP2_FAIL_PROTOCOL, -EBADMSG, "%s: %s", sip2_error_to_string(pe.code), pe.detail);
                }
                e->protocol = SIP2_E_UNEXPECTED;
                return fail(e, SIP2_FAIL_PROTOCOL, -EBADMSG, "unexpected-message: %s (%s) in answer to %s",
                            sip2_command_name(ret->command), sip2_command_id(ret->command), sip2_command_name(cmd));
        }
}

static int login(Sip2Client *c, Sip2ClientError *e) {
        Sip2Msg *m;
        const char *out;
        int seq = (int) (c->sequence++ % 10);
        int n = build(c, SIP2_LOGIN, &(Sip2Request) {}, seq, &out), r;

        if (n < 0)
                return fail(e, SIP2_FAIL_INVALID, n, "the login cannot be sent: user or location holds '|' or a control character");
        m = malloc(sizeof(*m));
        if (!m)
                return -ENOMEM;
        r = exchange(c, SIP2_LOGIN, out, (size_t) n, seq, m, e);
        explicit_bzero(c->w.buf, sizeof(c->w.buf));
        if (r == 0 && strcmp(sip2_msg_fixed(m, "ok"), "1") != 0)
                r = fail(e, SIP2_FAIL_LOGIN, -EACCES, "the ILS refused the login of user '%s'", c->user);
        free(m);
        return r;
}

static int connect_and_login(Sip2Client *c, Sip2ClientError *e) {
        int r;

        trace(c, SIP2_TRACE_EVENT, "connecting to %s port %u (%s)", c->host, c->cfg.port, c->transport->name);
        r = tcp_connect(c, e);
        if (r < 0)
                return r;
        r = login(c, e);
        if (r < 0)
                sip2_client_disconnect(c);
        return r;
}

int sip2_client_connect(Sip2Client *c, Sip2ClientError *e) {
        int r = 0;

        *e = (Sip2ClientError) {};
        if (c->conn.fd >= 0)
                return 0;
        for (unsigned attempt = 0; attempt <= c->cfg.reconnect_max; attempt++) {
                if (attempt > 0)
                        trace(c, SIP2_TRACE_EVENT, "%s: connecting again (%u of %u)", e->detail, attempt,
                              c->cfg.reconnect_max);
                *e = (Sip2ClientError) {};
                r = connect_and_login(c, e);
                if (r >= 0 || e->failure == SIP2_FAIL_LOGIN || e->failure == SIP2_FAIL_INVALID ||
                    e->failure == SIP2_FAIL_CONFIG)
                        return r;
        }
        return r;
}

int sip2_client_request(Sip2Client *c, Sip2Command cmd, const Sip2Request *r, Sip2Msg *ret, Sip2ClientError *e) {
        int k = 0;

        *e = (Sip2ClientError) {};
        for (unsigned attempt = 0; attempt <= c->cfg.reconnect_max; attempt++) {
                const char *out;
                int seq, n;

                if (attempt > 0)
                        trace(c, SIP2_TRACE_EVENT, "%s: connecting again and repeating %s (%u of %u)", e->detail,
                              sip2_command_name(cmd), attempt, c->cfg.reconnect_max);
                if (c->conn.fd >= 0 && connection_closed(c)) {
                        trace(c, SIP2_TRACE_EVENT, "the ILS closed the idle connection");
                        sip2_client_disconnect(c);
                }
                if (c->conn.fd < 0) {
                        *e = (Sip2ClientError) {};
                        k = connect_and_login(c, e);
                        if (k < 0) {
                                if (e->failure == SIP2_FAIL_LOGIN || e->failure == SIP2_FAIL_INVALID ||
                                    e->failure == SIP2_FAIL_CONFIG)
                                        return k;
                                continue;
                        }
                }
                if (c->in_len > 0) {
                        /* Left after the last answer: nobody asked for it, and it must not be
                         * taken for the answer to this request. */
                        trace(c, SIP2_TRACE_EVENT, "dropping %zu bytes nobody asked for", c->in_len);
                        c->in_len = 0;
                }
                seq = (int) (c->sequence++ % 10);
                n = build(c, cmd, r, seq, &out);
                if (n < 0)
                        return fail(e, SIP2_FAIL_INVALID, n, "%s cannot be sent: a value holds '|' or a control character",
                                    sip2_command_name(cmd));
                *e = (Sip2ClientError) {};
                k = exchange(c, cmd, out, (size_t) n, seq, ret, e);
                if (k >= 0)
                        return 0;
                /* After any failure the connection's state is unknown (half a message may still
                 * come): it is closed, and a request is repeated only on a new one. */
                sip2_client_disconnect(c);
                if (!idempotent(cmd)) {
                        e->outcome_unknown = true;
                        return k;
                }
        }
        return k;
}

static void copy(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src ?: "");
}

/* The answer of a checkout, checkin or renewal, judged: ok only with "1", for that item (and
 * patron, when asked for one). An answer about another item is not ours to believe. */
static int judge(Sip2Msg *m, const char *patron, const char *item, Sip2Result *ret, Sip2ClientError *e) {
        const char *ab = sip2_msg_get(m, "AB"), *aa = sip2_msg_get(m, "AA");

        *ret = (Sip2Result) {};
        copy(ret->due, sizeof(ret->due), sip2_msg_get(m, "AH"));
        copy(ret->title, sizeof(ret->title), sip2_msg_get(m, "AJ"));
        copy(ret->message, sizeof(ret->message), sip2_msg_get(m, "AF"));
        if (!ab || strcmp(ab, item) != 0 || (patron && (!aa || strcmp(aa, patron) != 0))) {
                e->protocol = SIP2_E_UNEXPECTED;
                e->outcome_unknown = true;
                return fail(e, SIP2_FAIL_PROTOCOL, -EBADMSG, "%s names another %s than asked",
                            sip2_command_name(m->command), ab && strcmp(ab, item) != 0 ? "item" : "patron");
        }
        if (strcmp(sip2_msg_fixed(m, "ok"), "1") != 0)
                return fail(e, SIP2_FAIL_REFUSED, -EPERM, "the ILS refused: %s",
                            ret->message[0] ? ret->message : "(no reason given)");
        ret->ok = true;
        return 0;
}

static int transaction(Sip2Client *c, Sip2Command cmd, const char *patron, const char *item, int64_t now,
                       const Sip2Forward *fw, Sip2Result *ret, Sip2ClientError *e) {
        Sip2Msg *m = malloc(sizeof(*m));
        Sip2Request rq = { .patron = patron, .item = item, .now = now, .no_block_due = -1 };
        int r;

        *ret = (Sip2Result) {};
        if (!m)
                return -ENOMEM;
        if (fw) {
                rq.now = fw->made;
                rq.no_block = true;
                rq.no_block_due = cmd == SIP2_CHECKIN ? -1 : fw->due;
        }
        r = sip2_client_request(c, cmd, &rq, m, e);
        if (r >= 0)
                r = judge(m, patron, item, ret, e);
        free(m);
        return r;
}

int sip2_client_checkout(Sip2Client *c, const char *patron, const char *item, int64_t now, Sip2Result *ret,
                         Sip2ClientError *e) {
        return transaction(c, SIP2_CHECKOUT, patron, item, now, NULL, ret, e);
}

int sip2_client_checkin(Sip2Client *c, const char *item, int64_t now, Sip2Result *ret, Sip2ClientError *e) {
        return transaction(c, SIP2_CHECKIN, NULL, item, now, NULL, ret, e);
}

int sip2_client_renew(Sip2Client *c, const char *patron, const char *item, int64_t now, Sip2Result *ret,
                      Sip2ClientError *e) {
        return transaction(c, SIP2_RENEW, patron, item, now, NULL, ret, e);
}

int sip2_client_forward(Sip2Client *c, Sip2Command cmd, const char *patron, const char *item, const Sip2Forward *fw,
                        Sip2Result *ret, Sip2ClientError *e) {
        if (!fw || (cmd != SIP2_CHECKOUT && cmd != SIP2_CHECKIN && cmd != SIP2_RENEW))
                return -EINVAL;
        return transaction(c, cmd, cmd == SIP2_CHECKIN ? NULL : patron, item, fw->made, fw, ret, e);
}
