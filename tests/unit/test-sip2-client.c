/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIP2 client's retry policy (lending/sip2-client.h, docs/sip2.md) against a scripted ILS
 * in a thread of the test: a bad checksum is asked for again (97), the ILS's 96 is answered, a
 * drop or a stall of a request that may be repeated reconnects, one that may not (checkout)
 * says its outcome is unknown and is never sent twice, and only an answer for that patron and
 * item with ok 1 is a loan. And the login credential's file checks. */

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lending/sip2-client.h"

/* What the scripted ILS does with the n-th request it reads (counted over all connections). */
typedef enum Action { SEND, DROP_HALF, STALL_HALF, CLOSE, SEND_THEN_FLOOD } Action;
typedef Action (*Script)(unsigned n, const Sip2Msg *req, char *out, size_t size);

static struct {
        int lfd;
        uint16_t port;
        Script script;
        unsigned requests, connections, checkouts, resend_requests;
        char last[SIP2_MSG_MAX];
        pthread_t thread;
        bool started;
        volatile bool stop;
} ils;

static Sip2Msg ils_req;
static volatile bool ils_close_current; /* set by a test: the ILS closes the connection it serves */

static void frame(char *out, size_t size, const char *body, int seq) {
        size_t n;
        snprintf(out, size, "%sAY%dAZ", body, seq);
        n = strlen(out);
        snprintf(out + n, size - n, "%04X\r", sip2_checksum(out, n));
}

static void *ils_thread(void *arg) {
        while (!ils.stop) {
                int fd = accept(ils.lfd, NULL, NULL);
                char in[SIP2_MSG_MAX];
                size_t len = 0;
                bool open = true, stalled = false;

                if (fd < 0)
                        continue;
                ils.connections++;
                while (open) {
                        struct pollfd pf = { .fd = fd, .events = POLLIN };
                        if (poll(&pf, 1, 10) == 0) {
                                /* A stalled answer keeps a connection open that only the test's end
                                 * closes: without this the thread waited on it for ever, and
                                 * tear_down() on the thread (it hung once under qemu-user). */
                                if (ils.stop)
                                        break;
                                if (ils_close_current) {
                                        ils_close_current = false;
                                        break;
                                }
                                continue;
                        }
                        ssize_t k = recv(fd, in + len, sizeof(in) - len, 0);
                        char *cr;
                        if (k <= 0)
                                break;
                        len += (size_t) k;
                        while (!stalled && (cr = memchr(in, '\r', len))) {
                                size_t n = (size_t) (cr - in) + 1;
                                char out[SIP2_MSG_MAX];
                                Action a;

                                assert_int_equal(sip2_parse(in, n, -1, &ils_req, NULL), 0);
                                memmove(in, in + n, len - n);
                                len -= n;
                                if (ils_req.command == SIP2_REQUEST_ACS_RESEND) {
                                        ils.resend_requests++;
                                        send(fd, ils.last, strlen(ils.last), MSG_NOSIGNAL);
                                        continue;
                                }
                                if (ils_req.command == SIP2_CHECKOUT)
                                        ils.checkouts++;
                                if (ils_req.command == SIP2_LOGIN) {
                                        frame(out, sizeof(out), strcmp(sip2_msg_get(&ils_req, "CO"), "pw") == 0 ? "941" : "940",
                                              ils_req.sequence);
                                        a = SEND;
                                } else {
                                        ils.last[0] = '\0';
                                        a = ils.script(ils.requests++, &ils_req, out, sizeof(out));
                                }
                                /* A 97 gets the last answer, or what a script that breaks its
                                 * answer left there (the answer as it should have been). */
                                if (!ils.last[0])
                                        snprintf(ils.last, sizeof(ils.last), "%s", out);
                                switch (a) {
                                case SEND:
                                        send(fd, out, strlen(out), MSG_NOSIGNAL);
                                        break;
                                case DROP_HALF:
                                        send(fd, out, strlen(out) / 2, MSG_NOSIGNAL);
                                        open = false;
                                        break;
                                case STALL_HALF:
                                        send(fd, out, strlen(out) / 2, MSG_NOSIGNAL);
                                        stalled = true;
                                        break;
                                case CLOSE:
                                        open = false;
                                        break;
                                case SEND_THEN_FLOOD: {
                                        static const char junk[4096] = { [0 ... 4095] = 'x' };
                                        send(fd, out, strlen(out), MSG_NOSIGNAL);
                                        while (send(fd, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
                                                ;
                                        open = false;
                                        break;
                                }
                                }
                                if (!open)
                                        break;
                        }
                }
                close(fd);
        }
        return NULL;
}

static int set_up(void **state) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);

        memset(&ils, 0, sizeof(ils));
        ils.lfd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(ils.lfd >= 0);
        assert_int_equal(bind(ils.lfd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(listen(ils.lfd, 8), 0);
        assert_int_equal(getsockname(ils.lfd, (struct sockaddr *) &a, &alen), 0);
        ils.port = ntohs(a.sin_port);
        return 0;
}

static void start(Script s) {
        ils.script = s;
        assert_int_equal(pthread_create(&ils.thread, NULL, ils_thread, NULL), 0);
        ils.started = true;
}

static int tear_down(void **state) {
        ils.stop = true;
        shutdown(ils.lfd, SHUT_RDWR);
        close(ils.lfd);
        if (ils.started)
                pthread_join(ils.thread, NULL);
        return 0;
}

static char traced[1 << 16];

static void on_trace(void *userdata, Sip2Trace kind, const char *text) {
        size_t n = strlen(traced);
        snprintf(traced + n, sizeof(traced) - n, "%c %s\n", kind == SIP2_TRACE_SENT ? '>' : kind == SIP2_TRACE_RECEIVED ? '<' : '#',
                 text);
}

static Sip2Client *client(const char *password) {
        Sip2Client *c = NULL;
        Sip2ClientConfig cfg = {
                .host = "127.0.0.1", .port = ils.port, .institution = "CITY", .location = "Desk",
                .user = "station", .password = password, .connect_timeout_ms = 2000, .reply_timeout_ms = 300,
                .resend_max = 2, .reconnect_max = 2,
        };
        traced[0] = '\0';
        assert_int_equal(sip2_client_new(&cfg, &c), 0);
        sip2_client_set_trace(c, on_trace, NULL);
        return c;
}

#define D "20270115    080000"

/* The ILS's answers as they should be. */
static void good_answer(const Sip2Msg *req, char *out, size_t size) {
        char body[512];
        const char *item = sip2_msg_get(req, "AB");

        switch (req->command) {
        case SIP2_SC_STATUS:
                frame(out, size, "98YYYYNN010003" D "2.00AOCITY|BXYYYYYYYYYYYYYYYY|", req->sequence);
                return;
        case SIP2_CHECKOUT:
                snprintf(body, sizeof(body), "121NNY" D "AOCITY|AA%s|AB%s|AJA Book|AH20270129    235900|",
                         sip2_msg_get(req, "AA"), item);
                frame(out, size, body, req->sequence);
                return;
        case SIP2_CHECKIN:
                snprintf(body, sizeof(body), "101YNN" D "AOCITY|AB%s|AQMain|", item);
                frame(out, size, body, req->sequence);
                return;
        case SIP2_RENEW:
                snprintf(body, sizeof(body), "301YNN" D "AOCITY|AA%s|AB%s|AJA Book|AH20270212    235900|",
                         sip2_msg_get(req, "AA"), item);
                frame(out, size, body, req->sequence);
                return;
        default:
                fail_msg("unexpected request %s", sip2_command_name(req->command));
        }
}

static Action all_good(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        return SEND;
}

static void login_and_status_and_the_password_never_shown(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(all_good);
        c = client("pw");
        assert_int_equal(sip2_client_connect(c, &e), 0);
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_true(res.ok);
        assert_string_equal(res.due, "20270129    235900");
        assert_string_equal(res.title, "A Book");
        assert_non_null(strstr(traced, "> 9300CNstation|CO***|CPDesk|AY0AZ"));
        assert_null(strstr(traced, "COpw"));
        assert_int_equal(ils.connections, 1);
}

/* The password is masked wherever it stands in a trace, whatever it is made of. */
static void a_password_of_stars_is_masked_and_shown_in_finite_time(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;

        start(all_good);
        c = client("*");
        assert_int_equal(sip2_client_connect(c, &e), -EACCES);
        assert_non_null(strstr(traced, "CO***|"));
}

static void a_refused_login_is_not_retried(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;

        start(all_good);
        c = client("wrong");
        assert_int_equal(sip2_client_connect(c, &e), -EACCES);
        assert_int_equal(e.failure, SIP2_FAIL_LOGIN);
        assert_int_equal(ils.connections, 1);
        assert_null(strstr(traced, "wrong"));
}

/* Many ILSs close a connection that stays idle. The client sees that before it sends a checkout
 * and reconnects first: the checkout goes out once, on the new connection, and its outcome is
 * known. */
static void an_idle_connection_the_ils_closed_is_replaced_before_a_checkout(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;
        static Sip2Msg m;

        start(all_good);
        c = client("pw");
        assert_int_equal(sip2_client_request(c, SIP2_SC_STATUS, &(Sip2Request) {}, &m, &e), 0);
        ils_close_current = true; /* the ILS's idle timeout */
        while (ils_close_current)
                usleep(1000);
        usleep(20000);
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_true(res.ok);
        assert_int_equal(ils.connections, 2);
        assert_int_equal(ils.checkouts, 1);
        assert_non_null(strstr(traced, "closed the idle connection"));
}

static void checkin_and_renew_are_judged_like_a_checkout(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(all_good);
        c = client("pw");
        assert_int_equal(sip2_client_renew(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_string_equal(res.due, "20270212    235900");
        assert_int_equal(sip2_client_checkin(c, "I-1", 1800000000, &res, &e), 0);
        assert_true(res.ok);
        assert_non_null(strstr(traced, "> 09N"));
        assert_non_null(strstr(traced, "> 29NN"));
}

static Action answer_twice_first(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        if (n == 0) {
                size_t l = strlen(out);
                memmove(out + l, out, l + 1); /* the same answer twice in one write */
        }
        return SEND;
}

/* An ILS that answers twice: the stale copy is dropped, never taken for the next answer. */
static void an_answer_nobody_asked_for_is_dropped(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(answer_twice_first);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-2", 1800000000, &res, &e), 0);
        assert_int_equal(ils.connections, 1);
        assert_int_equal(ils.checkouts, 2);
        assert_non_null(strstr(traced, "nobody asked for"));
}

static Action flood_after_first(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        return n == 0 ? SEND_THEN_FLOOD : SEND;
}

/* An ILS that keeps sending after its answer: not read forever; a new connection instead. */
static void an_ils_that_floods_is_left_for_a_new_connection(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(flood_after_first);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        usleep(50000); /* the flood fills the socket's buffers */
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-2", 1800000000, &res, &e), 0);
        assert_int_equal(ils.connections, 2);
        assert_int_equal(ils.checkouts, 2);
}

static Action bad_checksum_once(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        if (n == 0) {
                snprintf(ils.last, SIP2_MSG_MAX, "%s", out); /* what a 97 will get */
                out[strlen(out) - 2] = out[strlen(out) - 2] == '0' ? '1' : '0';
        }
        return SEND;
}

static void a_bad_checksum_is_asked_for_again(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(bad_checksum_once);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_true(res.ok);
        assert_int_equal(ils.resend_requests, 1);
        assert_int_equal(ils.checkouts, 1); /* asked for the answer again, not the loan */
        assert_non_null(strstr(traced, "> 97AZFEF5"));
}

static Action always_bad_checksum(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        out[strlen(out) - 2] = out[strlen(out) - 2] == '0' ? '1' : '0';
        ils.last[0] = '\0';
        snprintf(ils.last, SIP2_MSG_MAX, "%s", out);
        return SEND;
}

static void checksums_that_stay_bad_are_no_loan(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(always_bad_checksum);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -EBADMSG);
        assert_false(res.ok);
        assert_int_equal(e.protocol, SIP2_E_BAD_CHECKSUM);
        assert_true(e.outcome_unknown);
        assert_int_equal(ils.resend_requests, 2); /* resend_max */
        assert_int_equal(ils.checkouts, 1);
}

static Action sc_resend_once(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        if (n == 0) {
                snprintf(out, size, "96AZFEF6\r");
                return SEND;
        }
        good_answer(req, out, size);
        return SEND;
}

static void the_ils_asking_again_gets_the_same_message(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(sc_resend_once);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), 0);
        assert_int_equal(ils.checkouts, 2); /* the ILS could not read the first: it made no loan */
        assert_non_null(strstr(traced, "96"));
}

static Action drop_first(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        return n == 0 ? DROP_HALF : SEND;
}

static void a_dropped_status_reconnects_and_repeats(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        static Sip2Msg m;

        start(drop_first);
        c = client("pw");
        assert_int_equal(sip2_client_request(c, SIP2_SC_STATUS, &(Sip2Request) {}, &m, &e), 0);
        assert_int_equal(m.command, SIP2_ACS_STATUS);
        assert_int_equal(ils.connections, 2);
        assert_non_null(strstr(traced, "mid-message"));
}

static void a_dropped_checkout_is_not_repeated(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(drop_first);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -ECONNRESET);
        assert_int_equal(e.failure, SIP2_FAIL_DROPPED);
        assert_true(e.outcome_unknown);
        assert_false(res.ok);
        assert_int_equal(ils.checkouts, 1);
}

static Action stall_first(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        good_answer(req, out, size);
        return n == 0 ? STALL_HALF : SEND;
}

static int64_t mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void a_stall_is_bounded_by_the_reply_timeout(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        static Sip2Msg m;
        int64_t t0;

        start(stall_first);
        c = client("pw");
        t0 = mono_ms();
        assert_int_equal(sip2_client_request(c, SIP2_SC_STATUS, &(Sip2Request) {}, &m, &e), 0);
        /* One reply timeout (300 ms) lost, then the answer on a new connection. */
        assert_true(mono_ms() - t0 >= 300);
        assert_true(mono_ms() - t0 < 2000);
        assert_int_equal(ils.connections, 2);
        assert_non_null(strstr(traced, "stalled mid-message"));
}

static void a_stalled_checkout_is_unknown_not_lent(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(stall_first);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -ETIMEDOUT);
        assert_int_equal(e.failure, SIP2_FAIL_TIMEOUT);
        assert_true(e.outcome_unknown);
        assert_int_equal(ils.checkouts, 1);
}

static Action wrong_sequence(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        Sip2Msg shifted = *req;
        shifted.sequence = (req->sequence + 1) % 10;
        good_answer(&shifted, out, size);
        return SEND;
}

static void an_answer_for_another_sequence_is_no_loan(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(wrong_sequence);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -EBADMSG);
        assert_int_equal(e.protocol, SIP2_E_WRONG_SEQUENCE);
        assert_true(e.outcome_unknown);
        assert_false(res.ok);
}

static Action other_item(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        frame(out, size, "121NNY" D "AOCITY|AAP-OK|ABI-2|AJA Book|AH20270129    235900|", req->sequence);
        return SEND;
}

static void an_answer_for_another_item_is_no_loan(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(other_item);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -EBADMSG);
        assert_true(e.outcome_unknown);
        assert_false(res.ok);
}

static Action refuse(unsigned n, const Sip2Msg *req, char *out, size_t size) {
        frame(out, size, "120NNN" D "AOCITY|AAP-OK|ABI-1|AJ|AH|AFItem on hold for another patron|", req->sequence);
        return SEND;
}

static void a_refusal_is_reported_in_the_ils_words(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(refuse);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1", 1800000000, &res, &e), -EPERM);
        assert_int_equal(e.failure, SIP2_FAIL_REFUSED);
        assert_false(e.outcome_unknown);
        assert_false(res.ok);
        assert_string_equal(res.message, "Item on hold for another patron");
}

static void a_barcode_cannot_inject_a_field(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;

        start(all_good);
        c = client("pw");
        assert_int_equal(sip2_client_checkout(c, "P-OK", "I-1|AAP-OTHER", 1800000000, &res, &e), -EINVAL);
        assert_int_equal(e.failure, SIP2_FAIL_INVALID);
        assert_int_equal(ils.checkouts, 0);
}

static void no_ils_is_a_connect_failure(void **state) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;

        /* No ILS thread: one blocked in accept() would keep the socket listening after close(). */
        c = client("pw");
        close(ils.lfd); /* nobody listens any more */
        ils.lfd = -1;
        assert_true(sip2_client_connect(c, &e) < 0);
        assert_int_equal(e.failure, SIP2_FAIL_CONNECT);
        ils.lfd = socket(AF_INET, SOCK_STREAM, 0); /* for tear_down's shutdown */
}

static void write_file(const char *path, const char *text, mode_t mode) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(path, mode), 0);
}

static void credential_files_are_checked(void **state) {
        char dir[] = "/tmp/test-sip2-cred-XXXXXX", path[128], link[128];
        char *user = NULL, *pw = NULL;
        const char *why = NULL;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/sip2-login", dir);
        write_file(path, "station\ns3cret\n", 0600);
        assert_int_equal(sip2_credential_load(path, &user, &pw, &why), 0);
        assert_string_equal(user, "station");
        assert_string_equal(pw, "s3cret");
        sip2_secret_free(user);
        sip2_secret_free(pw);
        /* By name, from $CREDENTIALS_DIRECTORY (systemd's LoadCredential=). */
        setenv("CREDENTIALS_DIRECTORY", dir, 1);
        assert_int_equal(sip2_credential_load("sip2-login", &user, &pw, &why), 0);
        sip2_secret_free(user);
        sip2_secret_free(pw);
        unsetenv("CREDENTIALS_DIRECTORY");
        assert_int_equal(sip2_credential_load("sip2-login", &user, &pw, &why), -ENOENT);

        write_file(path, "station\ns3cret\n", 0644);
        assert_int_equal(sip2_credential_load(path, &user, &pw, &why), -EPERM);
        write_file(path, "station s3cret\n", 0600);
        assert_int_equal(sip2_credential_load(path, &user, &pw, &why), -EINVAL);
        write_file(path, "station\ns3|cret\n", 0600);
        assert_int_equal(sip2_credential_load(path, &user, &pw, &why), -EINVAL);
        write_file(path, "station\ns3cret\nthird\n", 0600);
        assert_int_equal(sip2_credential_load(path, &user, &pw, &why), -EINVAL);
        write_file(path, "station\ns3cret\n", 0600);
        snprintf(link, sizeof(link), "%s/link", dir);
        assert_int_equal(symlink(path, link), 0);
        assert_int_equal(sip2_credential_load(link, &user, &pw, &why), -ELOOP);
        assert_string_equal(why, "is a symbolic link");
        unlink(link);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(login_and_status_and_the_password_never_shown, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_refused_login_is_not_retried, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_password_of_stars_is_masked_and_shown_in_finite_time, set_up, tear_down),
                cmocka_unit_test_setup_teardown(an_idle_connection_the_ils_closed_is_replaced_before_a_checkout, set_up, tear_down),
                cmocka_unit_test_setup_teardown(checkin_and_renew_are_judged_like_a_checkout, set_up, tear_down),
                cmocka_unit_test_setup_teardown(an_answer_nobody_asked_for_is_dropped, set_up, tear_down),
                cmocka_unit_test_setup_teardown(an_ils_that_floods_is_left_for_a_new_connection, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_bad_checksum_is_asked_for_again, set_up, tear_down),
                cmocka_unit_test_setup_teardown(checksums_that_stay_bad_are_no_loan, set_up, tear_down),
                cmocka_unit_test_setup_teardown(the_ils_asking_again_gets_the_same_message, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_dropped_status_reconnects_and_repeats, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_dropped_checkout_is_not_repeated, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_stall_is_bounded_by_the_reply_timeout, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_stalled_checkout_is_unknown_not_lent, set_up, tear_down),
                cmocka_unit_test_setup_teardown(an_answer_for_another_sequence_is_no_loan, set_up, tear_down),
                cmocka_unit_test_setup_teardown(an_answer_for_another_item_is_no_loan, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_refusal_is_reported_in_the_ils_words, set_up, tear_down),
                cmocka_unit_test_setup_teardown(a_barcode_cannot_inject_a_field, set_up, tear_down),
                cmocka_unit_test_setup_teardown(no_ils_is_a_connect_failure, set_up, tear_down),
                cmocka_unit_test(credential_files_are_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
