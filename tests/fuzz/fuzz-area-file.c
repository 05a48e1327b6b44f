/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The area state file (core/area.h): any bytes either load — with the count of the last
 * occupancy record, no more presences than entry records, every presence live — or are refused
 * with -EBADMSG leaving the state as it was. Loaded with the key of the header when it has one,
 * so that presences are replayed too. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/area.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        AreaState *a = NULL;
        AreaFileInfo info;
        const uint8_t *key = size >= 8 + AREA_KEY_SIZE ? data + 8 : NULL;
        int64_t now = 1780000000, timeout = 3600;

        if (area_state_new(&a) < 0)
                return 0;
        area_set_occupancy(a, 77);
        int r = area_file_load(a, data, size, key, now, timeout, &info);
        if (r == -EBADMSG) {
                assert(area_occupancy(a) == 77);
                assert(area_presence_count(a) == 0);
        } else if (r == 0) {
                size_t entries = 0;
                for (size_t i = 0; i < info.records; i++)
                        entries += data[AREA_FILE_HEADER_SIZE + i * AREA_RECORD_SIZE] == AREA_RECORD_ENTER;
                assert(area_presence_count(a) <= entries);
                assert(area_presence_expire(a, now, timeout) == 0);
                assert(info.records * AREA_RECORD_SIZE + AREA_FILE_HEADER_SIZE <= size);
        }
        area_state_free(a);
        return 0;
}
