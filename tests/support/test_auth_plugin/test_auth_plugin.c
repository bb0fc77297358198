/* test_auth: an authenticator for end-to-end tests only (built under tests/, never installed).
 * Accepts "Bearer test:<role>:<userId>[:<tier>]" and nothing else, so tests of other plugins can
 * act as any role without the real auth plugin. Load it instead of "auth" in a test venue. */
#include <string.h>

#include "admit/abi.h"

static const admit_host_api* host_api = NULL;

static admit_status authenticate(void* ctx, admit_str token, admit_principal_out* out) {
    const char* p = token.ptr;
    const char* end = token.ptr + token.len;
    const char* parts[4] = {NULL, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};
    int n = 0;
    (void)ctx;
    if (token.len < 5 || memcmp(p, "test:", 5) != 0) return ADMIT_E_REJECTED;
    p += 5;
    while (p <= end && n < 4) {
        const char* colon = memchr(p, ':', (size_t)(end - p));
        const char* stop = colon != NULL ? colon : end;
        parts[n] = p;
        lens[n] = (size_t)(stop - p);
        ++n;
        if (colon == NULL) break;
        p = colon + 1;
    }
    if (n < 2 || lens[0] == 0 || lens[1] == 0) return ADMIT_E_REJECTED;
    {
        admit_str role = {parts[0], lens[0]};
        admit_kv tier = {{"tier", 4}, {n > 2 ? parts[2] : "none", n > 2 ? lens[2] : 4}};
        admit_principal principal;
        memset(&principal, 0, sizeof principal);
        principal.size = sizeof principal;
        principal.subject.ptr = parts[1];
        principal.subject.len = lens[1];
        principal.roles = &role;
        principal.role_count = 1;
        principal.claims = &tier;
        principal.claim_count = 1;
        principal.session.ptr = "test-session";
        principal.session.len = 12;
        return host_api->principal_set(out, &principal) == ADMIT_OK ? ADMIT_OK : ADMIT_E_REJECTED;
    }
}

static admit_status init(const admit_host_api* api, admit_host* host, void** instance,
                         admit_sink* error) {
    host_api = api;
    *instance = NULL;
    admit_authenticator_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.size = sizeof desc;
    desc.authenticate = authenticate;
    return api->authenticator_register(host, &desc, error);
}

static admit_status start(void* instance, admit_sink* error) {
    (void)instance;
    (void)error;
    return ADMIT_OK;
}

static void stop(void* instance) { (void)instance; }
static void destroy(void* instance) { (void)instance; }

static const char* const capabilities[] = {"authenticator"};

static const admit_plugin_descriptor descriptor = {sizeof(admit_plugin_descriptor),
                                                   ADMIT_ABI_MAJOR,
                                                   ADMIT_ABI_MINOR,
                                                   "test_auth",
                                                   "0.0.1",
                                                   NULL,
                                                   0,
                                                   capabilities,
                                                   1,
                                                   init,
                                                   start,
                                                   stop,
                                                   destroy,
                                                   NULL};

ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void) { return &descriptor; }
