/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/barcode-explain.h"
#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/isbn.h"

/* The steps a barcode runs (docs/code-format.md §7.4); the verifier's later ones do not exist
 * for it. */
static const VerifyStep barcode_steps[] = { VERIFY_STEP_FORMAT, VERIFY_STEP_ENCODING, VERIFY_STEP_STRUCTURE };

static void explain_codabar(FILE *f, const BarcodeInfo *b) {
        static const char *const types[10] = { [2] = "patron", [3] = "item" };
        const char *type = types[b->id[0] - '0'];

        fprintf(f, "  %-14s Codabar (AIM %s), ", "symbology", CODABAR_PREFIX);
        if (b->start)
                fprintf(f, "start %c, stop %c\n", b->start, b->stop);
        else
                fputs("no start/stop characters sent\n", f);
        fprintf(f, "  %-14s %s\n", "barcode", b->id);
        fprintf(f, "  %-14s type %c (%s), institution %.4s, number %.8s\n", "layout", b->id[0],
                type ?: "not a library's patron 2 or item 3", b->id + 1, b->id + 5);
}

static void explain_ean13(FILE *f, const BarcodeInfo *b) {
        char isbn10[11];

        fprintf(f, "  %-14s EAN-13 (AIM %s)\n", "symbology", EAN13_PREFIX);
        fprintf(f, "  %-14s %s\n", "barcode", b->id);
        if (!b->isbn)
                fprintf(f, "  %-14s not a book (an ISBN-13 begins 978 or 979)\n", "isbn");
        else if (ean13_isbn10(b->id, isbn10))
                fprintf(f, "  %-14s ISBN-13 %s, ISBN-10 %s\n", "isbn", b->id, isbn10);
        else
                fprintf(f, "  %-14s ISBN-13 %s (979: no ISBN-10)\n", "isbn", b->id);
}

/* A Bookland scanner's ISBN: the form it was read in, and the ISBN-13 it maps to. */
static void explain_isbn(FILE *f, const BarcodeInfo *b) {
        fprintf(f, "  %-14s Bookland EAN (AIM %s)\n", "symbology", ISBN_PREFIX);
        if (b->isbn10[0])
                fprintf(f, "  %-14s ISBN-10 %s, as ISBN-13 %s\n", "isbn", b->isbn10, b->id);
        else
                fprintf(f, "  %-14s ISBN-13 %s\n", "isbn", b->id);
        fprintf(f, "  %-14s %s\n", "barcode", b->id);
}

static const char *check_scheme(const VerifyResult *r) {
        if (r->format == CODE_FORMAT_CODABAR)
                return "Luhn mod 10";
        return r->barcode.isbn10[0] ? "ISBN-10 mod 11" : "GS1 mod 10";
}

void barcode_explain(FILE *f, const VerifyResult *r) {
        const BarcodeInfo *b = &r->barcode;

        if (!code_format_is_barcode(r->format))
                return;
        for (size_t i = 0; i < ELEMENTSOF(barcode_steps); i++) {
                VerifyStep s = barcode_steps[i];

                fprintf(f, "check %-9s ", verify_step_to_string(s));
                if (s == r->failed)
                        fprintf(f, "FAILED %s: %s\n", reason_to_string(r->reason), r->detail);
                else if (s > r->failed)
                        fputs("not reached\n", f);
                else
                        fputs("ok\n", f);
        }
        /* id is set once the layout was right: a wrong check digit is explained in full. */
        if (b->id[0]) {
                if (r->format == CODE_FORMAT_CODABAR)
                        explain_codabar(f, b);
                else if (r->format == CODE_FORMAT_EAN13)
                        explain_ean13(f, b);
                else
                        explain_isbn(f, b);
                fprintf(f, "  %-14s expected %c (%s), found %c: %s\n", "check digit", check_digit_isbn10_char(b->expected),
                        check_scheme(r), check_digit_isbn10_char(b->found), b->expected == b->found ? "ok" : "WRONG");
        } else if (r->failed > VERIFY_STEP_ENCODING)
                fprintf(f, "  %-14s %zu\n", r->format == CODE_FORMAT_ISBN ? "characters" : "digits", b->n_digits);
        fputs("not checked:   issuer, signature, time, lifetime, replay: a printed barcode has none of them,\n"
              "               so a valid one is read as printed, not proven authentic\n", f);
}
