/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fault-injection PKCS#11 module: a thin wrapper over a real module (SoftHSM2) that adds
 * latency, fails chosen calls with chosen CK_RVs, and simulates token removal and reinsertion.
 * What it does and how tests drive it: tests/pkcs11/fault-control.h. */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

#include "tests/pkcs11/fault-control.h"

#define DEFAULT_REAL_MODULE "/usr/lib/softhsm/libsofthsm2.so"

#define FAULT_FUNCTIONS(X)                                                                          \
        X(C_Initialize) X(C_Finalize) X(C_GetInfo) X(C_GetSlotList) X(C_GetSlotInfo)               \
        X(C_GetTokenInfo) X(C_WaitForSlotEvent) X(C_GetMechanismList) X(C_GetMechanismInfo)        \
        X(C_InitToken) X(C_InitPIN) X(C_OpenSession) X(C_CloseSession) X(C_CloseAllSessions)       \
        X(C_GetSessionInfo) X(C_Login) X(C_Logout) X(C_CreateObject) X(C_DestroyObject)            \
        X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit) X(C_FindObjects)        \
        X(C_FindObjectsFinal) X(C_SignInit) X(C_Sign) X(C_VerifyInit) X(C_Verify) X(C_GenerateKey) \
        X(C_GenerateKeyPair)

enum {
#define X(name) FN_##name,
        FAULT_FUNCTIONS(X)
#undef X
        FN_MAX,
};

static const char *const fn_names[FN_MAX] = {
#define X(name) [FN_##name] = #name,
        FAULT_FUNCTIONS(X)
#undef X
};

/* How a call behaves while the token is out. */
typedef enum Kind {
        KIND_GLOBAL,  /* not about a token */
        KIND_SLOT,    /* names a slot: CKR_TOKEN_NOT_PRESENT */
        KIND_SESSION, /* names a session: CKR_DEVICE_REMOVED */
} Kind;

typedef struct Fault {
        atomic_uint latency_usec;
        atomic_uint calls;
        CK_RV fail_rv; /* ctl_lock */
        int fail_count; /* ctl_lock; < 0 = until cleared */
} Fault;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *real_dl;
static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST wrapped;
static bool load_failed;

static Fault faults[FN_MAX];
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held around every real call, so pulling the token never races a call in the real module. */
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
static bool removed; /* call_lock */
static atomic_ulong extra_token_flags;

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static bool ev_enabled, ev_finalizing;
static unsigned ev_pending;
static atomic_ulong ev_slot; /* a slot to name in events */

static int fn_index(const char *name) {
        for (int i = 0; i < FN_MAX; i++)
                if (name && strcmp(name, fn_names[i]) == 0)
                        return i;
        return -1;
}

static void sleep_usec(unsigned usec) {
        struct timespec ts = { .tv_sec = usec / 1000000U, .tv_nsec = (long) (usec % 1000000U) * 1000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Takes one injected failure for fn, or returns CKR_OK. */
static CK_RV take_failure(int fn) {
        CK_RV rv = CKR_OK;

        pthread_mutex_lock(&ctl_lock);
        if (faults[fn].fail_count != 0 && faults[fn].fail_rv != CKR_OK) {
                rv = faults[fn].fail_rv;
                if (faults[fn].fail_count > 0)
                        faults[fn].fail_count--;
        }
        pthread_mutex_unlock(&ctl_lock);
        return rv;
}

void qrgate_fault_remove_token(void);
void qrgate_fault_insert_token(void);

/* Control from outside the process (a daemon under test): while the file named by
 * $QRGATE_FAULT_REMOVED_FILE exists, the token is out of its reader. Checked at every call, so
 * the daemon notices at its next token call or health check, as with a real card. */
static void sync_removed_file(void) {
        const char *f = getenv("QRGATE_FAULT_REMOVED_FILE");
        bool out, was;

        if (!f)
                return;
        out = access(f, F_OK) == 0;
        pthread_mutex_lock(&call_lock);
        was = removed;
        pthread_mutex_unlock(&call_lock);
        if (out && !was)
                qrgate_fault_remove_token();
        else if (!out && was)
                qrgate_fault_insert_token();
}

/* Before the real call. Returns true with *rv set when the call ends here; otherwise returns
 * false with call_lock held. `ends_operation` calls fail after the real call instead. */
static bool enter(int fn, Kind kind, bool ends_operation, CK_RV *rv) {
        unsigned latency;

        sync_removed_file();
        atomic_fetch_add(&faults[fn].calls, 1);
        latency = atomic_load(&faults[fn].latency_usec);
        if (latency > 0)
                sleep_usec(latency);

        pthread_mutex_lock(&call_lock);
        if (removed && kind != KIND_GLOBAL) {
                pthread_mutex_unlock(&call_lock);
                *rv = kind == KIND_SLOT ? CKR_TOKEN_NOT_PRESENT : CKR_DEVICE_REMOVED;
                return true;
        }
        if (!ends_operation) {
                *rv = take_failure(fn);
                if (*rv != CKR_OK) {
                        pthread_mutex_unlock(&call_lock);
                        return true;
                }
        }
        return false;
}

static CK_RV leave(int fn, bool ends_operation, CK_RV rv) {
        if (ends_operation) {
                CK_RV injected = take_failure(fn);

                if (injected != CKR_OK)
                        rv = injected;
        }
        pthread_mutex_unlock(&call_lock);
        return rv;
}

#define CALL(fn, kind, call)                               \
        do {                                               \
                CK_RV rv_;                                 \
                if (enter(FN_##fn, kind, false, &rv_))     \
                        return rv_;                        \
                return leave(FN_##fn, false, real->call);  \
        } while (0)

static void post_slot_event(void) {
        pthread_mutex_lock(&ev_lock);
        if (ev_enabled) {
                ev_pending++;
                pthread_cond_broadcast(&ev_cond);
        }
        pthread_mutex_unlock(&ev_lock);
}

static CK_RV w_C_Initialize(void *args) {
        pthread_mutex_lock(&ev_lock);
        ev_finalizing = false;
        pthread_mutex_unlock(&ev_lock);
        CALL(C_Initialize, KIND_GLOBAL, C_Initialize(args));
}

static CK_RV w_C_Finalize(void *reserved) {
        /* PKCS#11 v2.40 §5.4: C_Finalize releases threads blocked in C_WaitForSlotEvent. */
        pthread_mutex_lock(&ev_lock);
        ev_finalizing = true;
        pthread_cond_broadcast(&ev_cond);
        pthread_mutex_unlock(&ev_lock);
        CALL(C_Finalize, KIND_GLOBAL, C_Finalize(reserved));
}

static CK_RV w_C_GetInfo(CK_INFO_PTR info) {
        CALL(C_GetInfo, KIND_GLOBAL, C_GetInfo(info));
}

static CK_RV w_C_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
        CK_RV rv;

        if (enter(FN_C_GetSlotList, KIND_GLOBAL, false, &rv))
                return rv;
        if (removed && present) {
                /* The only reader has no card in it. */
                *count = 0;
                rv = CKR_OK;
        } else
                rv = real->C_GetSlotList(present, list, count);
        if (rv == CKR_OK && list && *count > 0)
                atomic_store(&ev_slot, list[0]);
        return leave(FN_C_GetSlotList, false, rv);
}

static CK_RV w_C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
        CK_RV rv;

        if (enter(FN_C_GetSlotInfo, KIND_GLOBAL, false, &rv))
                return rv;
        rv = real->C_GetSlotInfo(slot, info);
        if (rv == CKR_OK && removed)
                info->flags &= ~(CK_FLAGS) CKF_TOKEN_PRESENT;
        return leave(FN_C_GetSlotInfo, false, rv);
}

static CK_RV w_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
        CK_RV rv;

        if (enter(FN_C_GetTokenInfo, KIND_SLOT, false, &rv))
                return rv;
        rv = real->C_GetTokenInfo(slot, info);
        if (rv == CKR_OK && (info->flags & CKF_TOKEN_INITIALIZED))
                info->flags |= atomic_load(&extra_token_flags);
        return leave(FN_C_GetTokenInfo, false, rv);
}

static CK_RV w_C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, void *reserved) {
        CK_RV rv;

        atomic_fetch_add(&faults[FN_C_WaitForSlotEvent].calls, 1);
        pthread_mutex_lock(&ev_lock);
        if (!(flags & CKF_DONT_BLOCK))
                while (ev_enabled && !ev_finalizing && ev_pending == 0)
                        pthread_cond_wait(&ev_cond, &ev_lock);
        if (!ev_enabled)
                rv = CKR_FUNCTION_NOT_SUPPORTED;
        else if (ev_finalizing)
                rv = CKR_CRYPTOKI_NOT_INITIALIZED;
        else if (ev_pending == 0)
                rv = CKR_NO_EVENT;
        else {
                ev_pending--;
                *slot = atomic_load(&ev_slot);
                rv = CKR_OK;
        }
        pthread_mutex_unlock(&ev_lock);
        return rv;
}

static CK_RV w_C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
        CALL(C_GetMechanismList, KIND_SLOT, C_GetMechanismList(slot, list, count));
}

static CK_RV w_C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
        CALL(C_GetMechanismInfo, KIND_SLOT, C_GetMechanismInfo(slot, type, info));
}

static CK_RV w_C_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label) {
        CALL(C_InitToken, KIND_SLOT, C_InitToken(slot, pin, len, label));
}

static CK_RV w_C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
        CALL(C_InitPIN, KIND_SESSION, C_InitPIN(h, pin, len));
}

static CK_RV w_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR h) {
        CALL(C_OpenSession, KIND_SLOT, C_OpenSession(slot, flags, app, notify, h));
}

static CK_RV w_C_CloseSession(CK_SESSION_HANDLE h) {
        CALL(C_CloseSession, KIND_SESSION, C_CloseSession(h));
}

static CK_RV w_C_CloseAllSessions(CK_SLOT_ID slot) {
        CALL(C_CloseAllSessions, KIND_SLOT, C_CloseAllSessions(slot));
}

static CK_RV w_C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info) {
        CALL(C_GetSessionInfo, KIND_SESSION, C_GetSessionInfo(h, info));
}

static CK_RV w_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
        CALL(C_Login, KIND_SESSION, C_Login(h, user, pin, len));
}

static CK_RV w_C_Logout(CK_SESSION_HANDLE h) {
        CALL(C_Logout, KIND_SESSION, C_Logout(h));
}

static CK_RV w_C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o) {
        CALL(C_CreateObject, KIND_SESSION, C_CreateObject(h, t, n, o));
}

static CK_RV w_C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o) {
        CALL(C_DestroyObject, KIND_SESSION, C_DestroyObject(h, o));
}

static CK_RV w_C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
        CALL(C_GetAttributeValue, KIND_SESSION, C_GetAttributeValue(h, o, t, n));
}

static CK_RV w_C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
        CALL(C_SetAttributeValue, KIND_SESSION, C_SetAttributeValue(h, o, t, n));
}

static CK_RV w_C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
        CALL(C_FindObjectsInit, KIND_SESSION, C_FindObjectsInit(h, t, n));
}

static CK_RV w_C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR n) {
        CALL(C_FindObjects, KIND_SESSION, C_FindObjects(h, o, max, n));
}

static CK_RV w_C_FindObjectsFinal(CK_SESSION_HANDLE h) {
        CALL(C_FindObjectsFinal, KIND_SESSION, C_FindObjectsFinal(h));
}

static CK_RV w_C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
        CALL(C_SignInit, KIND_SESSION, C_SignInit(h, m, key));
}

static CK_RV w_C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
        /* A length query (sig == NULL) leaves the operation active; a real call ends it, also
         * when it fails, so an injected failure comes after the real call. */
        bool ends = sig != NULL;
        CK_RV rv;

        if (enter(FN_C_Sign, KIND_SESSION, ends, &rv))
                return rv;
        rv = real->C_Sign(h, data, len, sig, sig_len);
        return leave(FN_C_Sign, ends, rv);
}

static CK_RV w_C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
        CALL(C_VerifyInit, KIND_SESSION, C_VerifyInit(h, m, key));
}

static CK_RV w_C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG sig_len) {
        CK_RV rv;

        if (enter(FN_C_Verify, KIND_SESSION, true, &rv))
                return rv;
        rv = real->C_Verify(h, data, len, sig, sig_len);
        return leave(FN_C_Verify, true, rv);
}

static CK_RV w_C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                             CK_OBJECT_HANDLE_PTR key) {
        CALL(C_GenerateKey, KIND_SESSION, C_GenerateKey(h, m, t, n, key));
}

static CK_RV w_C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG n_pub,
                                 CK_ATTRIBUTE_PTR priv, CK_ULONG n_priv, CK_OBJECT_HANDLE_PTR h_pub,
                                 CK_OBJECT_HANDLE_PTR h_priv) {
        CALL(C_GenerateKeyPair, KIND_SESSION, C_GenerateKeyPair(h, m, pub, n_pub, priv, n_priv, h_pub, h_priv));
}

static void parse_env_latency(void) {
        const char *env = getenv("QRGATE_FAULT_LATENCY_US");
        char *copy, *save = NULL;

        if (!env)
                return;
        copy = strdup(env);
        if (!copy)
                return;
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(item, '=');

                if (!eq)
                        continue;
                *eq = 0;
                (void) qrgate_fault_set_latency(item, (unsigned) strtoul(eq + 1, NULL, 10));
        }
        free(copy);
}

static void load_real(void) {
        const char *path = getenv("QRGATE_FAULT_REAL_MODULE");
        CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);

        real_dl = dlopen(path ?: DEFAULT_REAL_MODULE, RTLD_NOW | RTLD_LOCAL);
        if (!real_dl)
                goto fail;
        *(void **) &get = dlsym(real_dl, "C_GetFunctionList");
        if (!get || get(&real) != CKR_OK || !real)
                goto fail;

        wrapped = *real;
#define X(name) wrapped.name = w_##name;
        FAULT_FUNCTIONS(X)
#undef X
        parse_env_latency();
        return;
fail:
        fprintf(stderr, "fault-module: cannot load %s: %s\n", path ?: DEFAULT_REAL_MODULE, dlerror() ?: "bad module");
        load_failed = true;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
        if (!list)
                return CKR_ARGUMENTS_BAD;
        pthread_once(&once, load_real);
        if (load_failed)
                return CKR_GENERAL_ERROR;
        *list = &wrapped;
        return CKR_OK;
}

void qrgate_fault_reset(void) {
        pthread_mutex_lock(&ctl_lock);
        for (int i = 0; i < FN_MAX; i++) {
                atomic_store(&faults[i].latency_usec, 0);
                atomic_store(&faults[i].calls, 0);
                faults[i].fail_rv = CKR_OK;
                faults[i].fail_count = 0;
        }
        pthread_mutex_unlock(&ctl_lock);
        atomic_store(&extra_token_flags, 0);
        qrgate_fault_insert_token();
        qrgate_fault_set_slot_events(false);
}

int qrgate_fault_set_latency(const char *function, unsigned usec) {
        int fn = fn_index(function);

        if (fn < 0)
                return -1;
        atomic_store(&faults[fn].latency_usec, usec);
        return 0;
}

int qrgate_fault_set_failure(const char *function, CK_RV rv, int count) {
        int fn = fn_index(function);

        if (fn < 0)
                return -1;
        pthread_mutex_lock(&ctl_lock);
        faults[fn].fail_rv = rv;
        faults[fn].fail_count = count;
        pthread_mutex_unlock(&ctl_lock);
        return 0;
}

unsigned qrgate_fault_calls(const char *function) {
        int fn = fn_index(function);

        return fn < 0 ? 0 : atomic_load(&faults[fn].calls);
}

void qrgate_fault_remove_token(void) {
        pthread_mutex_lock(&call_lock);
        if (!removed && real) {
                CK_SLOT_ID slots[16];
                CK_ULONG n = 16;

                /* A card pulled from its reader takes every session and the login with it. */
                if (real->C_GetSlotList(CK_FALSE, slots, &n) == CKR_OK)
                        for (CK_ULONG i = 0; i < n; i++)
                                (void) real->C_CloseAllSessions(slots[i]);
        }
        removed = true;
        pthread_mutex_unlock(&call_lock);
        post_slot_event();
}

void qrgate_fault_insert_token(void) {
        bool was;

        pthread_mutex_lock(&call_lock);
        was = removed;
        removed = false;
        pthread_mutex_unlock(&call_lock);
        if (was)
                post_slot_event();
}

void qrgate_fault_end_login(void) {
        CK_SLOT_ID slots[16];
        CK_ULONG n = 16;

        pthread_mutex_lock(&call_lock);
        /* The login belongs to the application, not the session (PKCS#11 v2.40 §5.6): logging
         * out through a session of our own ends it for the sessions the service holds. */
        if (real && real->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK)
                for (CK_ULONG i = 0; i < n; i++) {
                        CK_SESSION_HANDLE h;

                        if (real->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK)
                                continue;
                        (void) real->C_Logout(h);
                        (void) real->C_CloseSession(h);
                }
        pthread_mutex_unlock(&call_lock);
}

bool qrgate_fault_is_removed(void) {
        bool r;

        pthread_mutex_lock(&call_lock);
        r = removed;
        pthread_mutex_unlock(&call_lock);
        return r;
}

void qrgate_fault_set_token_flags(CK_FLAGS flags) {
        atomic_store(&extra_token_flags, flags);
}

void qrgate_fault_set_slot_events(bool enable) {
        pthread_mutex_lock(&ev_lock);
        ev_enabled = enable;
        ev_pending = 0;
        pthread_cond_broadcast(&ev_cond);
        pthread_mutex_unlock(&ev_lock);
}
