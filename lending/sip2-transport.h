/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* How the SIP2 client's bytes travel: plain TCP, or TLS over it (OpenSSL). The client's retry
 * policy sits above and does not know which. Not for use outside lending/. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Sip2Conn {
        int fd;     /* connected, non-blocking */
        void *tls;  /* the TLS session (SSL *); NULL for plain TCP */
        short want; /* after an EAGAIN: the poll() events to wait for (POLLIN or POLLOUT) */
} Sip2Conn;

typedef struct Sip2Transport {
        const char *name;
        /* Starts the session on conn->fd (the TLS handshake) by deadline (CLOCK_MONOTONIC ms).
         * 0, or -errno with what went wrong in detail. */
        int (*open)(Sip2Conn *conn, void *context, const char *server_name, int64_t deadline, char *detail,
                    size_t size);
        /* As send()/recv() on a non-blocking socket: > 0 bytes; recv 0 at the end; -1 with errno
         * EAGAIN (wait for conn->want) or another errno (the connection is broken). */
        ssize_t (*send)(Sip2Conn *conn, const void *p, size_t n);
        ssize_t (*recv)(Sip2Conn *conn, void *p, size_t n);
        /* Ends the session (not the fd, which the caller closes). */
        void (*close)(Sip2Conn *conn);
} Sip2Transport;

extern const Sip2Transport sip2_transport_tcp;
extern const Sip2Transport sip2_transport_tls;

/* A TLS client context: TLS 1.2 at least, the server's certificate verified against ca_file
 * (PEM; NULL: the system's trust store) and its name. 0 and *ret (free with
 * sip2_tls_context_free()), or -errno with detail. */
int sip2_tls_context_new(const char *ca_file, void **ret, char *detail, size_t size);
void sip2_tls_context_free(void *context);

/* Waits until fd has events or deadline (CLOCK_MONOTONIC ms) passes: 1, 0 (timeout), -errno. */
int sip2_wait(int fd, short events, int64_t deadline);
int64_t sip2_now_ms(void);
