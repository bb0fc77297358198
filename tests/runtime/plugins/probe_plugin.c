#define _POSIX_C_SOURCE 199309L
/* A configurable C plugin for loader and lifecycle tests. Compile definitions choose its shape:
 *   PROBE_NAME        plugin name (string literal)
 *   PROBE_MAJOR/MINOR ABI version it claims (default: the header's)
 *   PROBE_DEPENDS     a dependency name (string literal), optional
 *   PROBE_FAIL_INIT   init fails after registering a route (to prove the rollback)
 *   PROBE_FAIL_START  start fails
 *   PROBE_NO_ENTRY    no exported entry symbol at all
 *   PROBE_TRUNCATED_DESCRIPTOR  descriptor `size` ends before `health`, whose slot holds a trap
 *   PROBE_ROUTE_WITHOUT_FLAGS   the /flags route's `size` ends before `flags`, which hold garbage
 *   PROBE_SHORT_ROUTE           a route whose `size` ends before `handler` (must be refused)
 *   PROBE_BAD_SUBSCRIPTION      subscribes to "bad*topic", which the event bus refuses at commit
 *   PROBE_SUBSCRIPTION_FLAGS    subscribes to "probe.flagged" with these admit_subscription_desc
 *                               flags (ABI 1.5)
 *   PROBE_CONTRACT              the /contract route carries a contract (ABI 1.2): operationId
 *                               "probeContract", a query integer "n" in 1..10 and a body schema
 *   PROBE_OLD_CONTRACT_SLOT     the /contract route's `size` ends before `operation_id` (ABI 1.1),
 *                               and the contract slots hold garbage that must never be read
 *   PROBE_BAD_CONTRACT          the /contract route's contract uses an unsupported keyword
 *   PROBE_STREAM                an SSE stream /probe/<name>/stream/{who} (topic probe:{who}) whose
 *                               on_open refuses who = "refused" (404) and traces
 *                               "stream-open:<who>:<subject>"; on_close (ABI 1.3) traces
 *                               "stream-close:<who>:<subject>"
 *   PROBE_OLD_STREAM            as PROBE_STREAM, but the descriptor's `size` ends before
 *                               `on_close` (ABI 1.2), whose slot holds a trap that traces
 *                               "stream-close-trap" if a host ever calls it
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

#if defined(PROBE_STREAM) || defined(PROBE_OLD_STREAM)
/* "<what>:<who>:<subject>" into the trace. */
static void trace_stream(const char* what, const admit_request* request) {
    char line[256];
    admit_str who = {"", 0};
    uint32_t i;
    for (i = 0; i < request->param_count; ++i) {
        if (request->params[i].key.len == 3 && memcmp(request->params[i].key.ptr, "who", 3) == 0)
            who = request->params[i].value;
    }
    snprintf(line, sizeof line, "%s:%.*s:%.*s", what, (int)who.len, who.ptr,
             (int)request->principal->subject.len, request->principal->subject.ptr);
    trace(line);
}

static admit_status stream_open(void* ctx, const admit_request* request, admit_sink* first_event) {
    uint32_t i;
    (void)ctx;
    for (i = 0; i < request->param_count; ++i) {
        if (request->params[i].value.len == 7 &&
            memcmp(request->params[i].value.ptr, "refused", 7) == 0)
            return ADMIT_E_NOT_FOUND;
    }
    trace_stream("stream-open", request);
    first_event->write(first_event->ctx, "{\"open\":true}", 13);
    return ADMIT_OK;
}

static void stream_close(void* ctx, const admit_request* request) {
    (void)ctx;
    trace_stream("stream-close", request);
}

#ifdef PROBE_OLD_STREAM
static void stream_close_trap(void* ctx, const admit_request* request) {
    (void)ctx;
    (void)request;
    trace("stream-close-trap");
}
#endif
#endif

#if defined(PROBE_BAD_SUBSCRIPTION) || defined(PROBE_SUBSCRIPTION_FLAGS)
static admit_status on_event(void* ctx, admit_tx* tx, const admit_event* event, admit_sink* error) {
    (void)ctx;
    (void)tx;
    (void)event;
    (void)error;
    return ADMIT_OK;
}
#endif

#ifdef PROBE_TRUNCATED_DESCRIPTOR
/* Lies beyond the descriptor's declared size: a host that calls it read past `size`. */
static admit_status probe_health_trap(void* instance, admit_sink* detail) {
    (void)instance;
    (void)detail;
    trace("health-called");
    return ADMIT_OK;
}
#endif

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
#ifdef PROBE_ROUTE_WITHOUT_FLAGS
    /* Written by a peer that knew no `flags`: what lies beyond `size` must not be read. */
    route.path = str("/probe/" PROBE_NAME "/flags");
    route.handler = handle_ping;
    route.flags = ADMIT_ROUTE_OWN_IDEMPOTENCY;
    route.size = (uint32_t)offsetof(admit_route_desc, flags);
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    route.size = sizeof route;
    route.flags = 0;
#endif
#if defined(PROBE_CONTRACT) || defined(PROBE_OLD_CONTRACT_SLOT) || defined(PROBE_BAD_CONTRACT)
    route.method = str("POST");
    route.path = str("/probe/" PROBE_NAME "/contract");
    route.handler = handle_ping;
    route.operation_id = str("probeContract");
#ifdef PROBE_BAD_CONTRACT
    route.contract = str("{\"request\": {\"type\": \"object\", \"requried\": [\"x\"]}}");
#else
    route.contract =
        str("{\"query\": {\"type\": \"object\", \"properties\": {\"n\": {\"type\": "
            "\"integer\", \"minimum\": 1, \"maximum\": 10}}}, \"request\": {\"type\": "
            "\"object\", \"required\": [\"seats\"], \"properties\": {\"seats\": {\"type\": "
            "\"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": 2}}}, \"response\": "
            "{\"status\": 200, \"schema\": {\"type\": \"object\"}}, \"errors\": {\"409\": "
            "[\"PROBE_CONFLICT\"]}}");
#endif
#ifdef PROBE_OLD_CONTRACT_SLOT
    route.size = (uint32_t)offsetof(admit_route_desc, operation_id);
    memset(&route.operation_id, 0xAB, sizeof route.operation_id + sizeof route.contract);
#endif
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INVALID_ARGUMENT;
    route.size = sizeof route;
    route.method = str("GET");
    memset(&route.operation_id, 0, sizeof route.operation_id + sizeof route.contract);
#endif
#ifdef PROBE_SHORT_ROUTE
    route.path = str("/probe/" PROBE_NAME "/short");
    route.size = (uint32_t)offsetof(admit_route_desc, handler);
    if (api->route_register(host, &route, error) != ADMIT_OK) return ADMIT_E_INVALID_ARGUMENT;
#endif
#if defined(PROBE_STREAM) || defined(PROBE_OLD_STREAM)
    {
        admit_stream_desc stream;
        memset(&stream, 0, sizeof stream);
        stream.size = sizeof stream;
        stream.path = str("/probe/" PROBE_NAME "/stream/{who}");
        stream.roles = str("public");
        stream.topic_template = str("probe:{who}");
        stream.on_open = stream_open;
        stream.on_close = stream_close;
#ifdef PROBE_OLD_STREAM
        stream.size = (uint32_t)offsetof(admit_stream_desc, on_close);
        stream.on_close = stream_close_trap;
#endif
        if (api->stream_register(host, &stream, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    }
#endif
#if defined(PROBE_BAD_SUBSCRIPTION) || defined(PROBE_SUBSCRIPTION_FLAGS)
    {
        admit_subscription_desc sub;
        memset(&sub, 0, sizeof sub);
        sub.size = sizeof sub;
#ifdef PROBE_BAD_SUBSCRIPTION
        sub.topic = str("bad*topic");
        sub.subscriber = str("watcher");
#else
        sub.topic = str("probe.flagged");
        sub.subscriber = str("flagged");
        sub.flags = PROBE_SUBSCRIPTION_FLAGS;
#endif
        sub.handler = on_event;
        if (api->event_subscribe(host, &sub, error) != ADMIT_OK) return ADMIT_E_INTERNAL;
    }
#endif
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

#ifdef PROBE_TRUNCATED_DESCRIPTOR
#define PROBE_DESCRIPTOR_SIZE ((uint32_t)offsetof(admit_plugin_descriptor, health))
#define PROBE_HEALTH probe_health_trap
#else
#define PROBE_DESCRIPTOR_SIZE ((uint32_t)sizeof(admit_plugin_descriptor))
#define PROBE_HEALTH NULL
#endif

static const admit_plugin_descriptor probe_descriptor = {PROBE_DESCRIPTOR_SIZE,
                                                         PROBE_MAJOR,
                                                         PROBE_MINOR,
                                                         PROBE_NAME,
                                                         "0.0.1",
                                                         PROBE_DEPENDENCY_LIST,
                                                         PROBE_DEPENDENCY_COUNT,
                                                         NULL,
                                                         0,
                                                         probe_init,
                                                         probe_start,
                                                         probe_stop,
                                                         probe_destroy,
                                                         PROBE_HEALTH};

#ifndef PROBE_NO_ENTRY
ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void) { return &probe_descriptor; }
#else
ADMIT_EXPORT const admit_plugin_descriptor* some_other_symbol(void) { return &probe_descriptor; }
#endif
