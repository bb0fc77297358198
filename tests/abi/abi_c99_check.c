/* Proves abi.h is plain C99: compiled by tests/abi with gcc -std=c99 -Wall -Wextra -Werror
 * -pedantic, then run. It also writes a minimal plugin descriptor in C (a C plugin must be
 * possible) and checks the layout rules the compatibility promise relies on. Exit status 0 = all
 * checks passed. */
#include <admit/abi.h>

#include <stdio.h>

static int failures = 0;

#define CHECK(condition)                                                                  \
    do {                                                                                  \
        if (!(condition)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
            ++failures;                                                                   \
        }                                                                                 \
    } while (0)

static admit_status c_init(const admit_host_api* api, admit_host* host, void** instance,
                           admit_sink* error) {
    (void)api;
    (void)host;
    (void)error;
    *instance = NULL;
    return ADMIT_OK;
}

static admit_status c_start(void* instance, admit_sink* error) {
    (void)instance;
    (void)error;
    return ADMIT_OK;
}

static void c_stop(void* instance) { (void)instance; }
static void c_destroy(void* instance) { (void)instance; }

static const char* const c_dependencies[] = {"auth"};

static const admit_plugin_descriptor c_descriptor = {sizeof(admit_plugin_descriptor),
                                                     ADMIT_ABI_MAJOR,
                                                     ADMIT_ABI_MINOR,
                                                     "c_plugin",
                                                     "0.1.0",
                                                     c_dependencies,
                                                     1,
                                                     NULL,
                                                     0,
                                                     c_init,
                                                     c_start,
                                                     c_stop,
                                                     c_destroy,
                                                     NULL};

ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void);
ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void) { return &c_descriptor; }

int main(void) {
    const admit_plugin_descriptor* d = admit_plugin_entry();
    admit_host_api api;
    admit_host_api old_api;

    /* Every size-prefixed struct starts with its size. */
    CHECK(offsetof(admit_principal, size) == 0);
    CHECK(offsetof(admit_request, size) == 0);
    CHECK(offsetof(admit_route_desc, size) == 0);
    CHECK(offsetof(admit_stream_desc, size) == 0);
    CHECK(offsetof(admit_event, size) == 0);
    CHECK(offsetof(admit_subscription_desc, size) == 0);
    CHECK(offsetof(admit_job_desc, size) == 0);
    CHECK(offsetof(admit_host_api, size) == 0);
    CHECK(offsetof(admit_plugin_descriptor, size) == 0);

    /* ADMIT_HAS_FIELD: a full-size table has every field; a table cut short before a field has not.
     */
    api.size = (uint32_t)sizeof api;
    CHECK(ADMIT_HAS_FIELD(&api, admit_host_api, metric_record));
    old_api.size = (uint32_t)offsetof(admit_host_api, metric_record);
    CHECK(!ADMIT_HAS_FIELD(&old_api, admit_host_api, metric_record));
    CHECK(ADMIT_HAS_FIELD(&old_api, admit_host_api, metric_register));

    CHECK(d->size == sizeof(admit_plugin_descriptor));
    CHECK(d->abi_major == ADMIT_ABI_MAJOR && d->abi_minor == ADMIT_ABI_MINOR);
    CHECK(d->dependency_count == 1);
    CHECK(ADMIT_OK == 0);

    if (failures == 0) {
        printf("abi.h C99 checks passed\n");
    }
    return failures == 0 ? 0 : 1;
}
