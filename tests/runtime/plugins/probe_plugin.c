#define _POSIX_C_SOURCE 199309L
/* A configurable C plugin for loader and lifecycle tests. Compile definitions choose its shape:
 *   PROBE_NAME        plugin name (string literal)
 *   PROBE_MAJOR/MINOR ABI version it claims (default: the header's)
 *   PROBE_DEPENDS     a dependency name (string literal), optional
 *   PROBE_FAIL_INIT   init fails after registering a route (to prove the rollback)
 *   PROBE_FAIL_START  start fails
 *   PROBE_NO_ENTRY    no exported entry symbol at all
 * Lifecycle calls are appended to the file named by env ADMIT_TEST_TRACE, as "<name>:<call>\n". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admit/abi.h"

#ifndef PROBE_MAJOR
#define PROBE_MAJOR ADMIT_ABI_MAJOR
#endif
#ifndef PROBE_MINOR
#define PROBE_MINOR ADMIT_ABI_MINOR
#endif

static void trace(const char* call) {
    const char* path = getenv("ADMIT_TEST_TRACE");
    if (path == NULL) return;
    FILE* f = fopen(path, "a");
    if (f == NULL) return;
    fprintf(f, "%s:%s\n", PROBE_NAME, call);
    fclose(f);
}

static admit_str str(const char* s) {
    admit_str out;
    out.ptr = s;
    out.len = strlen(s);
    return out;
}

static admit_status handle_ping(void* ctx, const admit_request* request, admit_response* response) {
    const admit_host_api* api = (const admit_host_api*)ctx;
    (void)request;
    api->response_status(response, 200);
    api->response_body(response, str("{\"plugin\":\"" PROBE_NAME "\"}"), str(""));
    return ADMIT_OK;
}

static admit_status handle_fail(void* ctx, const admit_request* request, admit_response* response) {
    (void)ctx;
    (void)request;
    (void)response;
    return ADMIT_E_INTERNAL; /* no response written: the host must answer 500 */
}

/* Sleeps for 300 ms, tracing begin and end, so shutdown tests can catch a request in flight. */
static admit_status handle_slow(void* ctx, const admit_request* request, admit_response* response) {
    const admit_host_api* api = (const admit_host_api*)ctx;
    struct timespec pause = {0, 300 * 1000 * 1000};
    (void)request;
    trace("slow-begin");
    nanosleep(&pause, NULL);
    trace("slow-end");
    api->response_status(response, 200);
    api->response_body(response, str("{\"slow\":true}"), str(""));
    return ADMIT_OK;
}

static admit_status probe_init(const admit_host_api* api, admit_host* host, void** instance,
                               admit_sink* error) {
    admit_route_desc route;
    memset(&route, 0, sizeof route);
    route.size = sizeof route;
    route.method = str("GET");
    route.path = str("/probe/" PROBE_NAME);
    route.roles = str("public");
    route.handler = handle_ping;
    route.ctx = (void*)api;
    trace("init");
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    route.path = str("/probe/" PROBE_NAME "/fail");
    route.handler = handle_fail;
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    route.path = str("/probe/" PROBE_NAME "/slow");
    route.handler = handle_slow;
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    *instance = (void*)api;
#ifdef PROBE_FAIL_INIT
    if (error != NULL) error->write(error->ctx, "probe refuses to initialize", 27);
    return ADMIT_E_INVALID_ARGUMENT;
#else
    return ADMIT_OK;
#endif
}

static admit_status probe_start(void* instance, admit_sink* error) {
    (void)instance;
    trace("start");
#ifdef PROBE_FAIL_START
    if (error != NULL) error->write(error->ctx, "probe refuses to start", 22);
    return ADMIT_E_INTERNAL;
#else
    (void)error;
    return ADMIT_OK;
#endif
}

static void probe_stop(void* instance) {
    (void)instance;
    trace("stop");
}

static void probe_destroy(void* instance) {
    (void)instance;
    trace("destroy");
}

#ifdef PROBE_DEPENDS
static const char* const probe_dependencies[] = {PROBE_DEPENDS};
#define PROBE_DEPENDENCY_COUNT 1
#define PROBE_DEPENDENCY_LIST probe_dependencies
#else
#define PROBE_DEPENDENCY_LIST NULL
#define PROBE_DEPENDENCY_COUNT 0
#endif

static const admit_plugin_descriptor probe_descriptor = {
    sizeof(admit_plugin_descriptor), PROBE_MAJOR, PROBE_MINOR, PROBE_NAME, "0.0.1",
    PROBE_DEPENDENCY_LIST, PROBE_DEPENDENCY_COUNT, NULL, 0,
    probe_init, probe_start, probe_stop, probe_destroy, NULL};

#ifndef PROBE_NO_ENTRY
ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void) { return &probe_descriptor; }
#else
ADMIT_EXPORT const admit_plugin_descriptor* some_other_symbol(void) { return &probe_descriptor; }
#endif
