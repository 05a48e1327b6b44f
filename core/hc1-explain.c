/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <time.h>

#include "core/hc1-explain.h"
#include "core/hc1.h"

/* A few codes from the DCC value sets (ehn-dcc-valuesets), so the common cases read as words;
 * anything else is shown as its code. */
static const struct {
        const char *code, *text;
} value_names[] = {
        { "840539006", "COVID-19" },
        { "260415000", "not detected (negative)" },
        { "260373001", "detected (positive)" },
        { "LP6464-4", "nucleic acid amplification (PCR)" },
        { "LP217198-3", "rapid antigen test" },
};

static const char *value_name(const char *code) {
        for (size_t i = 0; i < ELEMENTSOF(value_names); i++)
                if (strcmp(code, value_names[i].code) == 0)
                        return value_names[i].text;
        return NULL;
}

static void line(FILE *f, const char *label, const char *value) {
        fprintf(f, "  %-14s %s\n", label, value && value[0] ? value : "-");
}

static void coded(FILE *f, const char *label, const char *code) {
        const char *name = value_name(code);
        if (name)
                fprintf(f, "  %-14s %s (%s)\n", label, name, code);
        else
                line(f, label, code);
}

static const char *utc(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                (void) snprintf(buf, size, "@%lld", (long long) t);
        return buf;
}

static void explain_claims(FILE *f, const Hc1Claims *c) {
        char t[40];

        fprintf(f, "  %-14s %s\n", "type", dcc_type_to_string(c->type) ?: "?");
        line(f, "iss", c->iss);
        fprintf(f, "  %-14s %s (%lld)\n", "iat", utc(c->iat, t, sizeof(t)), (long long) c->iat);
        fprintf(f, "  %-14s %s (%lld)\n", "exp", utc(c->exp, t, sizeof(t)), (long long) c->exp);
        line(f, "schema", c->ver);
        coded(f, "disease", c->tg);
        line(f, "country", c->co);
        line(f, "issuer", c->is);
        switch (c->type) {
        case DCC_TYPE_VACCINATION:
                fprintf(f, "  %-14s %lld of %lld\n", "dose", (long long) c->dn, (long long) c->sd);
                line(f, "vaccinated", c->date);
                break;
        case DCC_TYPE_TEST:
                coded(f, "test type", c->tt);
                line(f, "sampled", c->date);
                coded(f, "result", c->tr);
                break;
        case DCC_TYPE_RECOVERY:
                line(f, "first positive", c->date);
                line(f, "valid from", c->df);
                line(f, "valid until", c->du);
                break;
        default:
                break;
        }
        fprintf(f, "  %-14s %s\n", "holder", "name and date of birth not shown");
}

static void explain_dsc(FILE *f, const DscInfo *d) {
        char t1[40], t2[40], types[40];

        fprintf(f, "  %-14s ", "signer kid");
        for (size_t i = 0; i < DSC_KID_LEN; i++)
                fprintf(f, "%02x", d->kid[i]);
        fputc('\n', f);
        line(f, "signer", d->subject);
        fprintf(f, "  %-14s %s to %s\n", "signer valid", utc(d->not_before, t1, sizeof(t1)),
                utc(d->not_after, t2, sizeof(t2)));
        fprintf(f, "  %-14s %s%s\n", "signer types", dcc_types_to_string(d->dcc_types, types, sizeof(types)),
                d->dcc_limited ? " (limited by its extendedKeyUsage)"
                : d->has_eku   ? " (its extendedKeyUsage names no DCC type)"
                               : " (no extendedKeyUsage)");
}

static const struct {
        unsigned bit;
        const char *text;
} problem_texts[] = {
        { HC1_PROBLEM_KEY_USAGE, "the signer certificate may not sign this type" },
        { HC1_PROBLEM_NOT_YET_VALID, "issued in the future" },
        { HC1_PROBLEM_EXPIRED, "expired" },
        { HC1_PROBLEM_DSC_NOT_YET_VALID, "the signer certificate is not valid yet" },
        { HC1_PROBLEM_IAT_BEFORE_DSC, "signed before the signer certificate was valid" },
        { HC1_PROBLEM_DSC_EXPIRED, "the signer certificate has expired" },
        { HC1_PROBLEM_EXP_AFTER_DSC, "valid longer than its signer certificate" },
};

void hc1_explain(FILE *f, const VerifyResult *r) {
        const Hc1Info *h = &r->hc1;

        if (r->format != CODE_FORMAT_HC1)
                return;

        fprintf(f, "HC1 (EU DCC) stages passed:");
        for (Hc1Stage s = HC1_STAGE_PREFIX; s <= h->stage && s < _HC1_STAGE_MAX; s++)
                fprintf(f, " %s", hc1_stage_to_string(s));
        if (h->stage == HC1_STAGE_NONE)
                fprintf(f, " none");
        fputc('\n', f);
        if (h->stage >= HC1_STAGE_INFLATE)
                fprintf(f, "  %-14s %zu bytes of COSE\n", "inflated", h->inflated_len);
        if (h->stage >= HC1_STAGE_COSE) {
                fprintf(f, "  %-14s %s (%lld)\n", "alg", cose_alg_to_string(r->alg) ?: "?", (long long) r->alg);
                fprintf(f, "  %-14s ", "kid");
                for (size_t i = 0; i < r->kid_len; i++)
                        fprintf(f, "%02x", r->kid[i]);
                fprintf(f, "%s\n", h->kid_unprotected ? " (unprotected header)" : "");
        }
        if (h->trust_list_age >= 0)
                fprintf(f, "  %-14s updated %lld s ago%s\n", "trust list", (long long) h->trust_list_age,
                        h->trust_list_stale ? ", older than allowed (policy: warn)" : "");
        if (h->have_dsc)
                explain_dsc(f, &h->dsc);
        if (h->have_claims)
                explain_claims(f, &h->claims);
        for (size_t i = 0; i < ELEMENTSOF(problem_texts); i++)
                if (h->problems & problem_texts[i].bit)
                        fprintf(f, "  %-14s %s\n", "problem", problem_texts[i].text);
        if (h->stage >= HC1_STAGE_CLAIMS)
                fprintf(f, "  %-14s %s\n", "note", "HC1 certificates are static: no lifetime limit, no replay check");
}
