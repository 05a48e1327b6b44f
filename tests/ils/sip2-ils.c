/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A library system (ILS) speaking SIP2 over TCP on 127.0.0.1, for the lending client's tests
 * and `make bench` (docs/sip2.md, "The test ILS"). In C so that it runs in a bare root without
 * python. Fixed patrons and items cover each answer a station must handle; loans are kept in
 * memory and written to --loans FILE after every change, so a test can prove that no loan was
 * lost or doubled; --journal FILE gets one line per checkout, checkin or renewal answered
 * ("checkout ITEM PATRON ok|refused"), so a test can also count how often each was carried out
 * (a loan made, returned and made again leaves the loans as they were). --delay-ms MS waits before
 * each checkout, checkin or renewal answer, as a distant ILS would: the window in which a station
 * may die with a transaction sent and unanswered. Faults on command (--fault KIND:CMD[:COUNT]) break the answers to one
 * command: drop (half the answer, then close), stall (half the answer, then silence), badsum
 * (a wrong checksum; a 97 gets the right one), wrongseq (another sequence number).
 *
 * With --tls-cert and --tls-key it speaks SIP2 over TLS (the handshake blocks: a test ILS).
 *
 * usage: sip2-ils [--port-file FILE] [--port N] [--credential FILE] [--loans FILE] [--journal FILE] [--delay-ms MS] [--fault KIND:CMD[:N]]...
 *                 [--tls-cert PEM --tls-key PEM]
 * Prints "sip2-ils: port N" once it listens; runs until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lending/sip2.h"

#define INSTITUTION "CITY"
#define LOAN_DAYS 14
#define RENEWALS_MAX 2
#define CLIENTS_MAX 16

typedef struct Patron {
        const char *id, *name;
        char status[15]; /* 14 positions, 'Y' or ' ' */
        const char *fines; /* BV, NULL for none */
        unsigned limit;
        const char *message;
} Patron;

typedef struct Item {
        const char *id, *title;
        bool not_for_loan;
        const char *hold_for; /* a patron waiting for it */
        char holder[32];      /* who has it on loan; "" on the shelf */
        int64_t due;
        unsigned renewals;
} Item;

static Patron patrons[] = {
        { "P-OK", "Ada Reader", "              ", NULL, 5, NULL },
        { "P-BLOCKED", "Bo Blocked", "Y             ", NULL, 5, "Your card is blocked: please see the desk" },
        { "P-FINES", "Fay Fines", "Y         Y   ", "25.00", 5, "Outstanding fines exceed the limit" },
        { "P-LIMIT", "Lee Limit", "     Y        ", NULL, 2, NULL },
        { "P-OTHER", "Otto Other", "              ", NULL, 5, NULL },
};

static Item items[] = {
        { "I-AVAIL-1", "Available One", false, NULL, "", 0, 0 },
        { "I-AVAIL-2", "Available Two", false, NULL, "", 0, 0 },
        { "I-AVAIL-3", "Available Three", false, NULL, "", 0, 0 },
        { "I-ONLOAN", "On Loan Elsewhere", false, NULL, "P-OTHER", 1893456000, 0 },
        { "I-HOLD", "Held For Another", false, "P-OTHER", "", 0, 0 },
        { "I-NOLOAN", "Reference Only", true, NULL, "", 0, 0 },
        { "I-LIMIT-1", "Limit One", false, NULL, "P-LIMIT", 1893456000, 0 },
        { "I-LIMIT-2", "Limit Two", false, NULL, "P-LIMIT", 1893456000, 0 },
        { "I-RENEW", "Renewed Once", false, NULL, "P-OK", 1893456000, 1 },
        /* As a station's scanner reads them: Codabar library item barcodes (core/codabar.h). */
        { "30234000000017", "Codabar One", false, NULL, "", 0, 0 },
        { "30234000000025", "Codabar Two", false, NULL, "", 0, 0 },
        { "30234000000033", "Codabar Three", false, NULL, "", 0, 0 },
        { "30234000000041", "Codabar Held", false, "P-OTHER", "", 0, 0 },
        { "30234000000058", "Codabar Reference", true, NULL, "", 0, 0 },
};

typedef enum FaultKind { FAULT_DROP, FAULT_STALL, FAULT_BADSUM, FAULT_WRONGSEQ, _FAULT_MAX } FaultKind;
static const char *const fault_names[_FAULT_MAX] = { "drop", "stall", "badsum", "wrongseq" };

typedef struct Fault {
        FaultKind kind;
        char command[3];
        unsigned count;
} Fault;

static Fault faults[16];
static size_t n_faults;

typedef struct Client {
        int fd;
        SSL *ssl; /* with --tls-cert */
        bool logged_in, stalled;
        char in[SIP2_MSG_MAX + 1];
        size_t in_len;
        char last[SIP2_MSG_MAX + 1]; /* the last answer as it should have been, for a 97 */
        size_t last_len;
} Client;

static Client clients[CLIENTS_MAX];
static unsigned delay_ms; /* before each checkout, checkin or renewal answer: a distant ILS */
static const char *journal_path, *loans_path, *cred_user = "station", *cred_password = "secret";
static char cred_buf[1100];
static Sip2Msg req;
static Sip2Writer w;
static SSL_CTX *tls;

static Patron *find_patron(const char *id) {
        for (size_t i = 0; i < sizeof(patrons) / sizeof(patrons[0]); i++)
                if (id && strcmp(patrons[i].id, id) == 0)
                        return &patrons[i];
        return NULL;
}

static Item *find_item(const char *id) {
        for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
                if (id && strcmp(items[i].id, id) == 0)
                        return &items[i];
        return NULL;
}

static unsigned charged(const Patron *p) {
        unsigned n = 0;
        for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
                n += strcmp(items[i].holder, p->id) == 0;
        return n;
}

/* The loans, one a line "ITEM PATRON DUE RENEWALS", written whole (temp + rename). */
static void dump_loans(void) {
        char tmp[4096];
        FILE *f;

        if (!loans_path)
                return;
        snprintf(tmp, sizeof(tmp), "%s.tmp", loans_path);
        f = fopen(tmp, "w");
        if (!f) {
                perror("sip2-ils: loans");
                exit(1);
        }
        for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
                if (items[i].holder[0])
                        fprintf(f, "%s %s %lld %u\n", items[i].id, items[i].holder, (long long) items[i].due,
                                items[i].renewals);
        if (fclose(f) != 0 || rename(tmp, loans_path) < 0) {
                perror("sip2-ils: loans");
                exit(1);
        }
}

/* Appended and closed at each answer: the test may read it (or the ILS may be killed) any time. */
static void journal(const char *what, const char *item, const char *patron, const char *why) {
        FILE *f;

        if (!journal_path)
                return;
        f = fopen(journal_path, "a");
        if (!f || fprintf(f, "%s %s %s %s\n", what, item ?: "-", patron ?: "-", why ? "refused" : "ok") < 0 ||
            fclose(f) != 0) {
                perror("sip2-ils: journal");
                exit(1);
        }
}

static void date_field(int64_t t, char *buf) {
        sip2_format_date(t, buf);
}

static void answer_checkout(int64_t now) {
        const char *pid = sip2_msg_get(&req, "AA"), *iid = sip2_msg_get(&req, "AB");
        Patron *p = find_patron(pid);
        Item *it = find_item(iid);
        const char *why = NULL;
        char due[SIP2_DATE_LEN + 1] = "";

        /* No block (store and forward): the station lent it already; the patron's blocks and limit
         * do not undo that (the spec), only a real conflict over the item does. */
        bool no_block = strcmp(sip2_msg_fixed(&req, "no block") ?: "N", "Y") == 0;
        const char *nb_due = sip2_msg_fixed(&req, "nb due date");
        int64_t forced_due = 0;

        if (no_block && nb_due && sip2_parse_date(nb_due, &forced_due) < 0)
                forced_due = 0;
        if (!p)
                why = "Patron not found";
        else if (!no_block && p->status[10] == 'Y')
                why = p->message;
        else if (!no_block && p->status[0] == 'Y')
                why = p->message;
        else if (!no_block && charged(p) >= p->limit)
                why = "Item limit reached";
        else if (!it)
                why = "Item not found";
        else if (it->not_for_loan)
                why = "Item not for loan";
        else if (strcmp(it->holder, p->id) == 0)
                why = "Item already on loan to you";
        else if (it->holder[0])
                why = "Item already on loan";
        else if (it->hold_for && strcmp(it->hold_for, p->id) != 0)
                why = "Item on hold for another patron";
        if (!why) {
                snprintf(it->holder, sizeof(it->holder), "%s", p->id);
                it->due = forced_due > 0 ? forced_due : now + LOAN_DAYS * 86400;
                it->renewals = 0;
                date_field(it->due, due);
                dump_loans();
        }
        journal(no_block ? "checkout-nb" : "checkout", iid, pid, why);
        sip2_writer_begin(&w, SIP2_CHECKOUT_RESP);
        sip2_put_fixed(&w, why ? "0" : "1", 1);
        sip2_put_fixed(&w, "N", 1);
        sip2_put_fixed(&w, "N", 1);
        sip2_put_fixed(&w, why ? "N" : "Y", 1);
        sip2_put_date(&w, now);
        sip2_put_field(&w, "AO", INSTITUTION);
        sip2_put_field(&w, "AA", pid ?: "");
        sip2_put_field(&w, "AB", iid ?: "");
        sip2_put_field(&w, "AJ", it ? it->title : "");
        sip2_put_field(&w, "AH", due);
        sip2_put_field(&w, "AF", why);
}

static void answer_checkin(int64_t now) {
        const char *iid = sip2_msg_get(&req, "AB");
        Item *it = find_item(iid);
        const char *why = !it ? "Item not found" : !it->holder[0] ? "Item was not on loan" : NULL;

        if (!why) {
                it->holder[0] = '\0';
                it->renewals = 0;
                dump_loans();
        }
        journal("checkin", iid, NULL, why);
        sip2_writer_begin(&w, SIP2_CHECKIN_RESP);
        sip2_put_fixed(&w, why ? "0" : "1", 1);
        sip2_put_fixed(&w, why ? "N" : "Y", 1);
        sip2_put_fixed(&w, "N", 1);
        sip2_put_fixed(&w, it && it->hold_for ? "Y" : "N", 1); /* alert: goes to the hold shelf */
        sip2_put_date(&w, now);
        sip2_put_field(&w, "AO", INSTITUTION);
        sip2_put_field(&w, "AB", iid ?: "");
        sip2_put_field(&w, "AQ", it ? "Main" : "");
        sip2_put_field(&w, "AJ", it ? it->title : NULL);
        sip2_put_field(&w, "AF", why);
}

static void answer_renew(int64_t now) {
        const char *pid = sip2_msg_get(&req, "AA"), *iid = sip2_msg_get(&req, "AB");
        Patron *p = find_patron(pid);
        Item *it = find_item(iid);
        const char *why = NULL;
        char due[SIP2_DATE_LEN + 1] = "";

        if (!p)
                why = "Patron not found";
        else if (p->status[0] == 'Y')
                why = p->message;
        else if (!it)
                why = "Item not found";
        else if (strcmp(it->holder, p->id) != 0)
                why = "Item not on loan to you";
        else if (it->renewals >= RENEWALS_MAX)
                why = "Renewal limit reached";
        else if (it->hold_for)
                why = "Item on hold for another patron";
        if (!why) {
                it->renewals++;
                it->due = now + LOAN_DAYS * 86400;
                date_field(it->due, due);
                dump_loans();
        }
        journal("renew", iid, pid, why);
        sip2_writer_begin(&w, SIP2_RENEW_RESP);
        sip2_put_fixed(&w, why ? "0" : "1", 1);
        sip2_put_fixed(&w, why ? "N" : "Y", 1);
        sip2_put_fixed(&w, "N", 1);
        sip2_put_fixed(&w, "N", 1);
        sip2_put_date(&w, now);
        sip2_put_field(&w, "AO", INSTITUTION);
        sip2_put_field(&w, "AA", pid ?: "");
        sip2_put_field(&w, "AB", iid ?: "");
        sip2_put_field(&w, "AJ", it ? it->title : "");
        sip2_put_field(&w, "AH", due);
        sip2_put_field(&w, "AF", why);
}

static void answer_patron(int64_t now, bool info) {
        const char *pid = sip2_msg_get(&req, "AA");
        Patron *p = find_patron(pid);
        char counts[32], limit[8];

        sip2_writer_begin(&w, info ? SIP2_PATRON_INFO_RESP : SIP2_PATRON_STATUS_RESP);
        /* An unknown patron: every privilege denied, and BL N (spec: "valid patron"). */
        sip2_put_fixed(&w, p ? p->status : "YYYY          ", 14);
        sip2_put_fixed(&w, "000", 3);
        sip2_put_date(&w, now);
        if (info) {
                snprintf(counts, sizeof(counts), "0000%04u%04u%04u00000000", 0u, p ? charged(p) : 0u, p && p->fines ? 1u : 0u);
                sip2_put_fixed(&w, counts, 24);
        }
        sip2_put_field(&w, "AO", INSTITUTION);
        sip2_put_field(&w, "AA", pid ?: "");
        sip2_put_field(&w, "AE", p ? p->name : "");
        if (info && p) {
                snprintf(limit, sizeof(limit), "%04u", p->limit);
                sip2_put_field(&w, "CB", limit);
        }
        sip2_put_field(&w, "BL", p ? "Y" : "N");
        sip2_put_field(&w, "BV", p ? p->fines : NULL);
        sip2_put_field(&w, "AF", p ? p->message : "Patron not found");
}

static void answer_item(int64_t now) {
        const char *iid = sip2_msg_get(&req, "AB");
        Item *it = find_item(iid);
        char due[SIP2_DATE_LEN + 1];

        sip2_writer_begin(&w, SIP2_ITEM_INFO_RESP);
        /* Circulation status: 01 other (unknown), 03 available, 04 charged, 08 on the hold shelf. */
        sip2_put_fixed(&w, !it ? "01" : it->holder[0] ? "04" : it->hold_for ? "08" : "03", 2);
        sip2_put_fixed(&w, "00", 2);
        sip2_put_fixed(&w, "01", 2);
        sip2_put_date(&w, now);
        if (it && it->holder[0]) {
                date_field(it->due, due);
                sip2_put_field(&w, "AH", due);
        }
        sip2_put_field(&w, "AB", iid ?: "");
        sip2_put_field(&w, "AJ", it ? it->title : "");
        sip2_put_field(&w, "AF", !it ? "Item not found" : it->not_for_loan ? "Not for loan" : NULL);
}

static void answer_status(int64_t now) {
        sip2_writer_begin(&w, SIP2_ACS_STATUS);
        sip2_put_fixed(&w, "YYYYNN", 6);
        sip2_put_fixed(&w, "010", 3);
        sip2_put_fixed(&w, "003", 3);
        sip2_put_date(&w, now);
        sip2_put_fixed(&w, "2.00", 4);
        sip2_put_field(&w, "AO", INSTITUTION);
        sip2_put_field(&w, "AM", "qrgate test library");
        sip2_put_field(&w, "BX", "YYYYYYYYYYYYYYYY");
}

/* Closes a connection; a TLS session without close_notify, as a dropped connection would. */
static void close_client(Client *c) {
        SSL_free(c->ssl);
        c->ssl = NULL;
        close(c->fd);
        c->fd = -1;
}

static ssize_t read_raw(Client *c, void *p, size_t n) {
        return c->ssl ? SSL_read(c->ssl, p, (int) n) : recv(c->fd, p, n, 0);
}

static void send_raw(Client *c, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = c->ssl ? SSL_write(c->ssl, p, (int) n) : send(c->fd, p, n, MSG_NOSIGNAL);
                if (k <= 0)
                        return;
                p += k, n -= (size_t) k;
        }
}

static Fault *fault_for(const char *command) {
        for (size_t i = 0; i < n_faults; i++)
                if (faults[i].count > 0 && strncmp(faults[i].command, command, 2) == 0)
                        return &faults[i];
        return NULL;
}

/* Sends the answer built in w (sequence seq), or breaks it as a fault says. */
static void reply(Client *c, int seq) {
        const char *out;
        int n = sip2_writer_end(&w, seq, &out);
        Fault *f;

        if (n < 0) {
                fprintf(stderr, "sip2-ils: cannot build the answer: %s\n", strerror(-n));
                exit(1);
        }
        memcpy(c->last, out, (size_t) n);
        c->last_len = (size_t) n;
        f = fault_for(out);
        if (!f) {
                send_raw(c, out, (size_t) n);
                return;
        }
        f->count--;
        fprintf(stderr, "sip2-ils: fault %s on %.2s\n", fault_names[f->kind], out);
        switch (f->kind) {
        case FAULT_DROP:
                send_raw(c, out, (size_t) n / 2);
                close_client(c);
                return;
        case FAULT_STALL:
                send_raw(c, out, (size_t) n / 2);
                c->stalled = true;
                return;
        case FAULT_BADSUM: {
                char bad[SIP2_MSG_MAX + 1];
                memcpy(bad, out, (size_t) n);
                bad[n - 2] = bad[n - 2] == '0' ? '1' : '0';
                send_raw(c, bad, (size_t) n);
                return;
        }
        case FAULT_WRONGSEQ: {
                /* Rebuilt with the next sequence number and its right checksum. */
                char body[SIP2_MSG_MAX + 1];
                size_t blen = (size_t) n - 10; /* without AYnAZhhhh CR */
                memcpy(body, out, blen);
                body[blen] = '\0';
                snprintf(body + blen, sizeof(body) - blen, "AY%dAZ", (seq + 1) % 10);
                blen += 5;
                snprintf(body + blen, sizeof(body) - blen, "%04X\r", sip2_checksum(body, blen));
                send_raw(c, body, blen + 5);
                return;
        }
        default:
                return;
        }
}

static void handle(Client *c, const char *m, size_t len) {
        Sip2ParseError e;
        int64_t now = time(NULL);

        if (sip2_parse(m, len, -1, &req, &e) < 0) {
                /* Spec, "Request SC Resend": what cannot be read is asked for again. */
                fprintf(stderr, "sip2-ils: unreadable request (%s: %s): asking for it again\n",
                        sip2_error_to_string(e.code), e.detail);
                send_raw(c, "96AZFEF6\r", 9);
                return;
        }
        if (req.command == SIP2_REQUEST_ACS_RESEND) {
                send_raw(c, c->last, c->last_len);
                return;
        }
        if (req.command == SIP2_LOGIN) {
                c->logged_in = strcmp(sip2_msg_get(&req, "CN"), cred_user) == 0 &&
                               strcmp(sip2_msg_get(&req, "CO"), cred_password) == 0;
                sip2_writer_begin(&w, SIP2_LOGIN_RESP);
                sip2_put_fixed(&w, c->logged_in ? "1" : "0", 1);
                reply(c, req.sequence);
                return;
        }
        if (!c->logged_in) {
                fprintf(stderr, "sip2-ils: %s before a login: closing\n", sip2_command_name(req.command));
                close_client(c);
                return;
        }
        switch (req.command) {
        case SIP2_SC_STATUS:
                answer_status(now);
                break;
        case SIP2_PATRON_STATUS:
                answer_patron(now, false);
                break;
        case SIP2_PATRON_INFO:
                answer_patron(now, true);
                break;
        case SIP2_CHECKOUT:
                answer_checkout(now);
                break;
        case SIP2_CHECKIN:
                answer_checkin(now);
                break;
        case SIP2_RENEW:
                answer_renew(now);
                break;
        case SIP2_ITEM_INFO:
                answer_item(now);
                break;
        default:
                fprintf(stderr, "sip2-ils: %s is not a request: closing\n", sip2_command_name(req.command));
                close_client(c);
                return;
        }
        if (delay_ms > 0 && (req.command == SIP2_CHECKOUT || req.command == SIP2_CHECKIN || req.command == SIP2_RENEW))
                usleep(delay_ms * 1000);
        reply(c, req.sequence);
}

static void read_client(Client *c) {
        ssize_t k = read_raw(c, c->in + c->in_len, SIP2_MSG_MAX - c->in_len);
        char *cr;

        if (k <= 0) {
                close_client(c);
                return;
        }
        c->in_len += (size_t) k;
        while (c->fd >= 0 && !c->stalled && (cr = memchr(c->in, '\r', c->in_len))) {
                size_t n = (size_t) (cr - c->in) + 1;
                handle(c, c->in, n);
                memmove(c->in, c->in + n, c->in_len - n);
                c->in_len -= n;
        }
        if (c->fd >= 0 && c->in_len >= SIP2_MSG_MAX) {
                fprintf(stderr, "sip2-ils: a request longer than %d bytes: closing\n", SIP2_MSG_MAX);
                close_client(c);
        }
        /* TLS may hold more of what came than poll() can see. */
        if (c->fd >= 0 && !c->stalled && c->ssl && SSL_pending(c->ssl) > 0)
                read_client(c);
}

static void load_credential(const char *path) {
        FILE *f = fopen(path, "r");
        size_t n;
        char *nl;

        if (!f || (n = fread(cred_buf, 1, sizeof(cred_buf) - 1, f)) == 0) {
                fprintf(stderr, "sip2-ils: cannot read %s\n", path);
                exit(2);
        }
        fclose(f);
        cred_buf[n] = '\0';
        nl = strchr(cred_buf, '\n');
        if (!nl) {
                fprintf(stderr, "sip2-ils: %s: user and password on two lines\n", path);
                exit(2);
        }
        *nl = '\0';
        cred_user = cred_buf;
        cred_password = nl + 1;
        nl = strchr(cred_password, '\n');
        if (nl)
                *nl = '\0';
}

static void parse_fault(const char *s) {
        Fault *f = &faults[n_faults];
        char kind[16];
        unsigned count = 1;
        int k;

        if (n_faults >= sizeof(faults) / sizeof(faults[0]) ||
            sscanf(s, "%15[a-z]:%2[0-9]%n", kind, f->command, &k) != 2 ||
            (s[k] != '\0' && sscanf(s + k, ":%u", &count) != 1)) {
                fprintf(stderr, "sip2-ils: --fault KIND:CMD[:COUNT], not '%s'\n", s);
                exit(2);
        }
        for (f->kind = 0; f->kind < _FAULT_MAX; f->kind++)
                if (strcmp(fault_names[f->kind], kind) == 0)
                        break;
        if (f->kind == _FAULT_MAX) {
                fprintf(stderr, "sip2-ils: unknown fault '%s' (drop, stall, badsum, wrongseq)\n", kind);
                exit(2);
        }
        f->count = count;
        n_faults++;
}

int main(int argc, char *argv[]) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        const char *port_file = NULL, *tls_cert = NULL, *tls_key = NULL;
        int lfd;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc)
                        port_file = argv[++i];
                else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
                        a.sin_port = htons((uint16_t) atoi(argv[++i])); /* back where a station expects it */
                else if (strcmp(argv[i], "--credential") == 0 && i + 1 < argc)
                        load_credential(argv[++i]);
                else if (strcmp(argv[i], "--loans") == 0 && i + 1 < argc)
                        loans_path = argv[++i];
                else if (strcmp(argv[i], "--journal") == 0 && i + 1 < argc)
                        journal_path = argv[++i];
                else if (strcmp(argv[i], "--delay-ms") == 0 && i + 1 < argc)
                        delay_ms = (unsigned) atoi(argv[++i]);
                else if (strcmp(argv[i], "--fault") == 0 && i + 1 < argc)
                        parse_fault(argv[++i]);
                else if (strcmp(argv[i], "--tls-cert") == 0 && i + 1 < argc)
                        tls_cert = argv[++i];
                else if (strcmp(argv[i], "--tls-key") == 0 && i + 1 < argc)
                        tls_key = argv[++i];
                else {
                        fprintf(stderr, "usage: sip2-ils [--port-file FILE] [--port N] [--credential FILE] [--loans FILE] [--journal FILE] [--delay-ms MS] "
                                        "[--fault KIND:CMD[:COUNT]]... [--tls-cert PEM --tls-key PEM]\n");
                        return 2;
                }
        }
        if (!tls_cert != !tls_key) {
                fprintf(stderr, "sip2-ils: --tls-cert and --tls-key go together\n");
                return 2;
        }
        if (tls_cert) {
                tls = SSL_CTX_new(TLS_server_method());
                if (!tls || SSL_CTX_use_certificate_chain_file(tls, tls_cert) != 1 ||
                    SSL_CTX_use_PrivateKey_file(tls, tls_key, SSL_FILETYPE_PEM) != 1) {
                        fprintf(stderr, "sip2-ils: cannot load %s and %s\n", tls_cert, tls_key);
                        return 1;
                }
        }
        signal(SIGPIPE, SIG_IGN);
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Restarted on its old port (--port) while the last run's connections linger in TIME_WAIT. */
        if (lfd >= 0)
                (void) setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int) { 1 }, sizeof(int));
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(lfd, 16) < 0 ||
            getsockname(lfd, (struct sockaddr *) &a, &alen) < 0) {
                perror("sip2-ils: listen");
                return 1;
        }
        dump_loans();
        printf("sip2-ils: port %u\n", ntohs(a.sin_port));
        fflush(stdout);
        if (port_file) {
                char tmp[4096];
                FILE *f;
                snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
                f = fopen(tmp, "w");
                if (!f || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, port_file) < 0) {
                        perror("sip2-ils: port file");
                        return 1;
                }
        }
        for (size_t i = 0; i < CLIENTS_MAX; i++)
                clients[i].fd = -1;
        for (;;) {
                struct pollfd p[CLIENTS_MAX + 1];
                size_t map[CLIENTS_MAX + 1], n = 0;

                p[n++] = (struct pollfd) { .fd = lfd, .events = POLLIN };
                for (size_t i = 0; i < CLIENTS_MAX; i++)
                        if (clients[i].fd >= 0) {
                                map[n] = i;
                                p[n++] = (struct pollfd) { .fd = clients[i].fd, .events = POLLIN };
                        }
                if (poll(p, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("sip2-ils: poll");
                        return 1;
                }
                if (p[0].revents & POLLIN) {
                        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        size_t i;
                        for (i = 0; fd >= 0 && i < CLIENTS_MAX && clients[i].fd >= 0; i++)
                                ;
                        if (fd >= 0 && i == CLIENTS_MAX)
                                close(fd); /* full: the client sees the connection closed */
                        else if (fd >= 0) {
                                clients[i] = (Client) { .fd = fd };
                                (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof(int));
                                if (tls) {
                                        clients[i].ssl = SSL_new(tls);
                                        if (!clients[i].ssl || SSL_set_fd(clients[i].ssl, fd) != 1 ||
                                            SSL_accept(clients[i].ssl) != 1) {
                                                fprintf(stderr, "sip2-ils: TLS handshake failed: %s\n",
                                                        ERR_reason_error_string(ERR_peek_error()) ?: "the client went away");
                                                ERR_clear_error();
                                                close_client(&clients[i]);
                                        }
                                }
                        }
                }
                for (size_t k = 1; k < n; k++)
                        if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                                Client *c = &clients[map[k]];
                                if (c->stalled) {
                                        /* Silent, but a client that gives up is let go. */
                                        char b[512];
                                        if (read_raw(c, b, sizeof(b)) <= 0)
                                                close_client(c);
                                } else
                                        read_client(c);
                        }
        }
}
