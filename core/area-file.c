/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The area state file's encoding (core/area.h): a header that names the subject key the
 * presences were written under, then records replayed in order. */
#include <errno.h>
#include <string.h>

#include "core/area.h"

static void put_u32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static bool all_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

void area_file_header(const uint8_t key_id[AREA_KEY_SIZE], uint8_t out[static AREA_FILE_HEADER_SIZE]) {
        memset(out, 0, AREA_FILE_HEADER_SIZE);
        memcpy(out, AREA_FILE_MAGIC, 8);
        if (key_id)
                memcpy(out + 8, key_id, AREA_KEY_SIZE);
}

void area_record_encode(AreaRecordType type, uint32_t value, const uint8_t *key, uint8_t out[static AREA_RECORD_SIZE]) {
        memset(out, 0, AREA_RECORD_SIZE);
        out[0] = (uint8_t) type;
        put_u32(out + 4, value);
        if (key)
                memcpy(out + 8, key, AREA_KEY_SIZE);
}

static bool record_valid(const uint8_t *r) {
        if (r[1] || r[2] || r[3])
                return false;
        switch (r[0]) {
        case AREA_RECORD_OCCUPANCY:
                return all_zero(r + 8, AREA_KEY_SIZE);
        case AREA_RECORD_ENTER:
                return get_u32(r + 4) != 0;
        case AREA_RECORD_EXIT:
                return get_u32(r + 4) == 0;
        default:
                return false;
        }
}

int area_file_load(AreaState *a, const uint8_t *buf, size_t size, const uint8_t *want_key, int64_t now,
                   int64_t timeout, AreaFileInfo *ret_info) {
        AreaFileInfo info = {};
        bool presences;

        if (size < AREA_FILE_HEADER_SIZE || memcmp(buf, AREA_FILE_MAGIC, 8) != 0 ||
            !all_zero(buf + 8 + AREA_KEY_SIZE, AREA_FILE_HEADER_SIZE - 8 - AREA_KEY_SIZE))
                return -EBADMSG;
        info.has_key = !all_zero(buf + 8, AREA_KEY_SIZE);
        memcpy(info.key_id, buf + 8, AREA_KEY_SIZE);
        info.records = (size - AREA_FILE_HEADER_SIZE) / AREA_RECORD_SIZE;
        info.torn = (size - AREA_FILE_HEADER_SIZE) % AREA_RECORD_SIZE != 0;
        /* All or nothing: a file with one record we do not know is not ours. */
        for (size_t i = 0; i < info.records; i++) {
                const uint8_t *r = buf + AREA_FILE_HEADER_SIZE + i * AREA_RECORD_SIZE;
                if (!record_valid(r))
                        return -EBADMSG;
                /* Presences in a file without a key are something we never write. */
                if (!info.has_key && r[0] != AREA_RECORD_OCCUPANCY)
                        return -EBADMSG;
        }

        presences = want_key && info.has_key && memcmp(want_key, info.key_id, AREA_KEY_SIZE) == 0;
        for (size_t i = 0; i < info.records; i++) {
                const uint8_t *r = buf + AREA_FILE_HEADER_SIZE + i * AREA_RECORD_SIZE;
                uint32_t v = get_u32(r + 4);
                if (r[0] == AREA_RECORD_OCCUPANCY)
                        area_set_occupancy(a, v);
                else if (!presences)
                        continue;
                else if (r[0] == AREA_RECORD_EXIT)
                        (void) area_presence_remove(a, r + 8);
                else if ((int64_t) v + timeout > now) {
                        int k = area_presence_add(a, r + 8, v, timeout);
                        if (k == -ENOMEM)
                                return k;
                } else
                        /* Expired by now; an earlier live entry of the same key is replaced. */
                        (void) area_presence_remove(a, r + 8);
        }
        if (ret_info)
                *ret_info = info;
        return 0;
}
