/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Control interface of the fault-injection PKCS#11 module (tests/pkcs11/fault-module.c).
 *
 * The module is a thin wrapper over a real module (SoftHSM2 unless $QRGATE_FAULT_REAL_MODULE
 * names another): every call goes to the real module, except that a test can
 *  - delay any wrapped function (latency, slept before the call, outside any lock),
 *  - make a function fail with a chosen CK_RV (the real operation still ends first for C_Sign
 *    and C_Verify, as a real failing token's would, PKCS#11 v2.40 §5.11),
 *  - pull the token out and put it back: while out, C_GetSlotList(present) lists no slot,
 *    C_GetSlotInfo clears CKF_TOKEN_PRESENT, slot calls answer CKR_TOKEN_NOT_PRESENT and
 *    session calls CKR_DEVICE_REMOVED; pulling closes every real session (and with them the
 *    login), so handles from before are stale after reinsertion, as on a real card,
 *  - end the login while leaving sessions open, as a card reset does on some readers,
 *  - add flags to CK_TOKEN_INFO (CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED),
 *  - offer C_WaitForSlotEvent (off by default, like SoftHSM2) that reports pulls and insertions,
 *  - count calls per function.
 *
 * Tests reach these functions with dlopen() of the same file p11-kit loads (the dynamic
 * loader returns the one instance) and dlsym(); the loader below does that. Function names are
 * PKCS#11 names without arguments ("C_Sign"). The environment variable
 * QRGATE_FAULT_LATENCY_US="C_Sign=200000,C_Login=1000" sets latencies at load, for use from
 * the command line, and while the file named by QRGATE_FAULT_REMOVED_FILE exists the token is
 * pulled out (so a test can pull it from a daemon it runs as another process). */

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>

#include <p11-kit/pkcs11.h>

typedef struct FaultControl {
        void *dl;
        /* Clears latencies, failures, counters and flags, inserts the token, disables slot events. */
        void (*reset)(void);
        /* -1 when the function name is unknown or not wrapped. */
        int (*set_latency)(const char *function, unsigned usec);
        /* The next `count` calls (count < 0: all until cleared with rv CKR_OK) return rv. */
        int (*set_failure)(const char *function, CK_RV rv, int count);
        unsigned (*calls)(const char *function);
        void (*remove_token)(void);
        void (*insert_token)(void);
        bool (*is_removed)(void);
        void (*end_login)(void);
        void (*set_token_flags)(CK_FLAGS flags);
        void (*set_slot_events)(bool enable);
} FaultControl;

/* Loads the control functions from the module at path. Returns 0 or -1 (dlerror() says why). */
static inline int fault_control_open(const char *path, FaultControl *ret) {
        FaultControl c = {};

        c.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!c.dl)
                return -1;
#define FAULT_SYM(field, name)                                   \
        do {                                                     \
                *(void **) &c.field = dlsym(c.dl, name);         \
                if (!c.field) {                                  \
                        dlclose(c.dl);                           \
                        return -1;                               \
                }                                                \
        } while (0)
        FAULT_SYM(reset, "qrgate_fault_reset");
        FAULT_SYM(set_latency, "qrgate_fault_set_latency");
        FAULT_SYM(set_failure, "qrgate_fault_set_failure");
        FAULT_SYM(calls, "qrgate_fault_calls");
        FAULT_SYM(remove_token, "qrgate_fault_remove_token");
        FAULT_SYM(insert_token, "qrgate_fault_insert_token");
        FAULT_SYM(is_removed, "qrgate_fault_is_removed");
        FAULT_SYM(end_login, "qrgate_fault_end_login");
        FAULT_SYM(set_token_flags, "qrgate_fault_set_token_flags");
        FAULT_SYM(set_slot_events, "qrgate_fault_set_slot_events");
#undef FAULT_SYM
        *ret = c;
        return 0;
}

static inline void fault_control_close(FaultControl *c) {
        if (c->dl)
                dlclose(c->dl);
        *c = (FaultControl) {};
}

/* The module's exported control functions (declared for -Wmissing-prototypes). */
void qrgate_fault_reset(void);
int qrgate_fault_set_latency(const char *function, unsigned usec);
int qrgate_fault_set_failure(const char *function, CK_RV rv, int count);
unsigned qrgate_fault_calls(const char *function);
void qrgate_fault_remove_token(void);
void qrgate_fault_insert_token(void);
bool qrgate_fault_is_removed(void);
void qrgate_fault_end_login(void);
void qrgate_fault_set_token_flags(CK_FLAGS flags);
void qrgate_fault_set_slot_events(bool enable);
