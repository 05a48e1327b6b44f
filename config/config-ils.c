/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "ils" section: how the lending station reaches the library's system over SIP2
 * (docs/sip2.md). Only read here; the lending service and `qrgatectl ils check` use it, qrgated
 * never connects anywhere. */
#include <string.h>

#include "config/config-internal.h"

/* A value that goes into a SIP2 field must not hold its delimiter or a control character. */
static bool sip2_text_valid(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7F || *s == '|')
                        return false;
        return true;
}

void config_parse_ils(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "host", K_STRING, true }, { "port", K_INT, true }, { "institution", K_STRING, true },
                { "location", K_STRING }, { "credential", K_STRING, true }, { "tls", K_BOOL },
                { "tls_ca", K_STRING }, { "tls_server_name", K_STRING },
                { "connect_timeout_ms", K_INT }, { "reply_timeout_ms", K_INT }, { "resend_max", K_INT },
                { "reconnect_max", K_INT },
        };
        const config_setting_t *g = schema_get_group(root, "ils"), *s;
        IlsConf *ils = &c->ils;
        int64_t v;

        if (!g || !schema_check_group(e, g, "ils", keys, ELEMENTSOF(keys)))
                return;
        ils->enabled = true;
        ils->host = schema_get_string(g, "host", NULL);
        ils->institution = schema_get_string(g, "institution", NULL);
        ils->location = schema_get_string(g, "location", NULL);
        ils->credential = schema_get_string(g, "credential", NULL);
        if (!ils->host[0] || strpbrk(ils->host, " /|"))
                config_error(e, config_setting_get_member(g, "host"), "ils host must be a host name or an address");
        if (schema_get_int(e, g, "port", 0, 1, 65535, &v))
                ils->port = (uint16_t) v;
        if (!ils->institution[0] || !sip2_text_valid(ils->institution))
                config_error(e, config_setting_get_member(g, "institution"),
                             "ils institution must be the SIP2 institution id (AO): not empty, no '|'");
        if (ils->location && !sip2_text_valid(ils->location))
                config_error(e, config_setting_get_member(g, "location"), "ils location may not hold '|'");
        /* A systemd credential's name (LoadCredential=NAME:... in the unit), or a file's path. */
        if (!ils->credential[0] || (strchr(ils->credential, '/') && ils->credential[0] != '/'))
                config_error(e, config_setting_get_member(g, "credential"),
                             "ils credential must be a credential name (no '/') or an absolute path");
        s = config_setting_get_member(g, "tls");
        ils->tls = s && config_setting_get_bool(s);
        ils->tls_ca = schema_get_string(g, "tls_ca", NULL);
        ils->tls_server_name = schema_get_string(g, "tls_server_name", NULL);
        if (ils->tls_ca && ils->tls_ca[0] != '/')
                config_error(e, config_setting_get_member(g, "tls_ca"), "ils tls_ca must be an absolute path");
        if ((ils->tls_ca || ils->tls_server_name) && !ils->tls)
                config_error(e, config_setting_get_member(g, ils->tls_ca ? "tls_ca" : "tls_server_name"),
                             "ils %s has no effect without tls = true", ils->tls_ca ? "tls_ca" : "tls_server_name");
        if (ils->tls_server_name && (!ils->tls_server_name[0] || strpbrk(ils->tls_server_name, " /|")))
                config_error(e, config_setting_get_member(g, "tls_server_name"),
                             "ils tls_server_name must be a host name or an address");
        if (schema_get_int(e, g, "connect_timeout_ms", 5000, 100, 60000, &v))
                ils->connect_timeout_ms = (uint32_t) v;
        if (schema_get_int(e, g, "reply_timeout_ms", 10000, 100, 120000, &v))
                ils->reply_timeout_ms = (uint32_t) v;
        if (schema_get_int(e, g, "resend_max", 2, 0, 5, &v))
                ils->resend_max = (uint32_t) v;
        if (schema_get_int(e, g, "reconnect_max", 2, 0, 5, &v))
                ils->reconnect_max = (uint32_t) v;
}
