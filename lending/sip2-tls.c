/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIP2 client's transports: plain TCP, and TLS over it with OpenSSL (issue 17: optional
 * TLS). OpenSSL's errors are turned into errno and words here, and only here. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/macro.h"
#include "lending/sip2-transport.h"

int64_t sip2_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sip2_wait(int fd, short events, int64_t deadline) {
        struct pollfd p = { .fd = fd, .events = events };
        int r;

        do
                r = poll(&p, 1, (int) MAX(deadline - sip2_now_ms(), (int64_t) 0));
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : r;
}

static int tcp_open(Sip2Conn *conn, void *context, const char *server_name, int64_t deadline, char *detail,
                    size_t size) {
        return 0;
}

static ssize_t tcp_send(Sip2Conn *conn, const void *p, size_t n) {
        conn->want = POLLOUT;
        return send(conn->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static ssize_t tcp_recv(Sip2Conn *conn, void *p, size_t n) {
        conn->want = POLLIN;
        return recv(conn->fd, p, n, MSG_DONTWAIT);
}

static void tcp_close(Sip2Conn *conn) {
}

const Sip2Transport sip2_transport_tcp = { "tcp", tcp_open, tcp_send, tcp_recv, tcp_close };

/* OpenSSL's error queue, as words, emptied. */
static void ssl_errors(char *buf, size_t size) {
        unsigned long e;
        size_t o = 0;

        buf[0] = '\0';
        while ((e = ERR_get_error()) != 0 && o + 1 < size) {
                int n = snprintf(buf + o, size - o, "%s%s", o ? "; " : "", ERR_reason_error_string(e) ?: "?");
                if (n < 0)
                        break;
                o += (size_t) n;
        }
        if (o == 0)
                snprintf(buf, size, "no details");
}

int sip2_tls_context_new(const char *ca_file, void **ret, char *detail, size_t size) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        char why[160];

        if (!ctx)
                return snprintf(detail, size, "TLS: cannot create a context"), -ENOMEM;
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if ((ca_file ? SSL_CTX_load_verify_file(ctx, ca_file) : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
                ssl_errors(why, sizeof(why));
                snprintf(detail, size, "TLS: cannot load the trusted certificates %s: %s", ca_file ?: "of the system",
                         why);
                SSL_CTX_free(ctx);
                return -EINVAL;
        }
        *ret = ctx;
        return 0;
}

void sip2_tls_context_free(void *context) {
        SSL_CTX_free(context);
}

static bool is_address(const char *s) {
        unsigned char buf[16];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int tls_open(Sip2Conn *conn, void *context, const char *server_name, int64_t deadline, char *detail,
                    size_t size) {
        SSL *ssl = SSL_new(context);
        char why[160];
        int r;

        if (!ssl)
                return snprintf(detail, size, "TLS: cannot create a session"), -ENOMEM;
        ERR_clear_error();
        /* The certificate must name the server we meant (RFC 6125): the host of the
         * configuration, as a name or an address. SNI only for a name (RFC 6066 section 3). */
        if (is_address(server_name))
                r = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name);
        else
                r = SSL_set1_host(ssl, server_name) == 1 && SSL_set_tlsext_host_name(ssl, server_name) == 1;
        if (r != 1 || SSL_set_fd(ssl, conn->fd) != 1) {
                SSL_free(ssl);
                return snprintf(detail, size, "TLS: cannot set up the session for %s", server_name), -EINVAL;
        }
        for (;;) {
                r = SSL_connect(ssl);
                if (r == 1)
                        break;
                int err = SSL_get_error(ssl, r);
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                        int w = sip2_wait(conn->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                        if (w > 0)
                                continue;
                        SSL_free(ssl);
                        return snprintf(detail, size, "TLS: no handshake in time"), -ETIMEDOUT;
                }
                long v = SSL_get_verify_result(ssl);
                ssl_errors(why, sizeof(why));
                if (v != X509_V_OK)
                        snprintf(detail, size, "TLS: the ILS's certificate is not trusted: %s",
                                 X509_verify_cert_error_string(v));
                else
                        snprintf(detail, size, "TLS handshake failed: %s", why);
                SSL_free(ssl);
                return -ECONNREFUSED;
        }
        conn->tls = ssl;
        return 0;
}

/* SSL_read/SSL_write's result as send()/recv()'s. */
static ssize_t tls_result(Sip2Conn *conn, int r, bool reading) {
        SSL *ssl = conn->tls;

        if (r > 0)
                return r;
        switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
                conn->want = POLLIN;
                errno = EAGAIN;
                return -1;
        case SSL_ERROR_WANT_WRITE:
                conn->want = POLLOUT;
                errno = EAGAIN;
                return -1;
        case SSL_ERROR_ZERO_RETURN:
                return 0; /* close_notify: the end */
        default:
                /* A connection cut without close_notify (OpenSSL 3: "unexpected eof"), or broken:
                 * either way, no more of it can be trusted. */
                ERR_clear_error();
                if (reading)
                        return 0;
                errno = ECONNRESET;
                return -1;
        }
}

static ssize_t tls_send(Sip2Conn *conn, const void *p, size_t n) {
        ERR_clear_error();
        return tls_result(conn, SSL_write(conn->tls, p, (int) MIN(n, (size_t) INT32_MAX)), false);
}

static ssize_t tls_recv(Sip2Conn *conn, void *p, size_t n) {
        ERR_clear_error();
        return tls_result(conn, SSL_read(conn->tls, p, (int) MIN(n, (size_t) INT32_MAX)), true);
}

static void tls_close(Sip2Conn *conn) {
        if (!conn->tls)
                return;
        (void) SSL_shutdown(conn->tls); /* best effort: the fd is non-blocking, nobody waits */
        SSL_free(conn->tls);
        conn->tls = NULL;
        ERR_clear_error();
}

const Sip2Transport sip2_transport_tls = { "tls", tls_open, tls_send, tls_recv, tls_close };
