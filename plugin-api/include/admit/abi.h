/*
 * Admit plugin ABI: the one contract between the admitd host and a plugin shared library.
 *
 * Pure C99. Nothing in here may need a C++ compiler (tests/abi compiles it with gcc -std=c99).
 *
 * Compatibility promise (see plugin-api/README.md):
 *   - The host loads a plugin when ADMIT_ABI_MAJOR values are equal and the plugin's minor is not
 *     newer than the host's. Otherwise it refuses the plugin with a message naming both versions.
 *   - Every struct that crosses the boundary starts with `uint32_t size` (sizeof as the writer saw
 *     it). Minor versions only append fields at the end of structs and function tables; a reader
 *     checks `size` before touching a field newer than the oldest minor it supports
 *     (ADMIT_HAS_FIELD below).
 *   - Only C types cross: opaque handles, (pointer, length) strings, fixed-width integers, doubles.
 *     Enumerations are passed as fixed-width integers (int32_t/uint32_t), never as C enum types.
 *   - A struct that is used as an element of an array (admit_str, admit_kv) is frozen: it never
 *     gains a field, because a reader indexes the array with its own sizeof. Arrays of
 *     size-prefixed structs are passed as arrays of pointers (admit_redis_reply.elements).
 *   - ABI 1.0 is the layout pinned by tests/abi/abi_layout_1_0.golden, 1.1 to 1.6 the ones
 *     pinned by tests/abi/abi_layout_1_1.golden to abi_layout_1_6.golden.
 *     Appending a field or a function
 * bumps ADMIT_ABI_MINOR and adds a golden file for the new minor; nothing that is in an older
 * golden file ever moves (only the sizeof of an appendable struct grows).
 *   - 1.1 added outbound HTTP (admit_http_request, admit_http_response, http_request).
 *   - 1.2 added route contracts (admit_route_desc and admit_stream_desc: operation_id, contract).
 *   - 1.3 added the end of a stream (admit_stream_desc.on_close).
 *   - 1.4 added work at the end of a transaction, before its commit (tx_before_commit).
 *   - 1.5 added subscription flags (admit_subscription_desc.flags: ADMIT_SUBSCRIPTION_INTERACTIVE).
 *   - 1.6 added responses answered later (admit_deferred: response_defer, deferred_response,
 *     deferred_finish).
 *   - A plugin states the oldest minor it needs in its descriptor (ADMIT_TARGET_MINOR, default
 *     ADMIT_ABI_MINOR), so a plugin built against a newer header still loads on an older host as
 *     long as it uses nothing newer; it must check ADMIT_HAS_FIELD before calling anything newer.
 *
 * Ownership rules, everywhere in this header:
 *   - An admit_str passed INTO a call is borrowed for the duration of that call only. The callee
 *     copies whatever it keeps. Strings are not NUL-terminated unless stated.
 *   - Data the callee produces comes back through a caller-supplied sink or visitor callback, and
 * is valid only during that callback. Whoever allocates frees; nothing is handed over.
 *   - Handles (admit_host, admit_tx, admit_response, ...) are owned by the host and valid only for
 * the duration stated at the function that hands them out.
 *
 * Errors: every fallible function returns admit_status (ADMIT_OK == 0). A human-readable message,
 * when there is one, is written to the `error` sink (which may be NULL). No exception, longjmp or
 * other non-local exit ever crosses this boundary in either direction.
 *
 * Threading: unless stated otherwise, host functions are thread-safe and may be called from any
 * thread the host runs plugin code on. Plugin callbacks (handlers, subscribers, jobs, service
 * methods) may be called concurrently from several host worker threads and must be thread-safe.
 */
#ifndef ADMIT_ABI_H
#define ADMIT_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ADMIT_ABI_MAJOR 1
#define ADMIT_ABI_MINOR 6

/* The oldest host minor this plugin needs; written to admit_plugin_descriptor.abi_minor. Define it
 * before including this header (or on the command line) to target an older host. */
#ifndef ADMIT_TARGET_MINOR
#define ADMIT_TARGET_MINOR ADMIT_ABI_MINOR
#endif

/* The one exported symbol of a plugin library. */
#define ADMIT_PLUGIN_ENTRY_SYMBOL "admit_plugin_entry"

#if defined(__GNUC__)
#define ADMIT_EXPORT __attribute__((visibility("default")))
#else
#define ADMIT_EXPORT
#endif

/* True when a size-prefixed struct `s` (pointer) was written by a peer that knows `field`. */
#define ADMIT_HAS_FIELD(s, type, field) \
    ((s)->size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ------------------------------------------------------------------------------------------------
 * Basic types
 * --------------------------------------------------------------------------------------------- */

/* A borrowed byte string. ptr may be NULL only when len == 0, except where a NULL ptr is given a
 * meaning (SQL NULL in query parameters).
 * admit_str, admit_kv and admit_sink are frozen value types: they never gain fields, so they carry
 * no size prefix. Every other struct that crosses the boundary starts with `uint32_t size`. */
typedef struct admit_str {
    const char* ptr;
    size_t len;
} admit_str;

typedef int32_t admit_status;
enum {
    ADMIT_OK = 0,
    ADMIT_E_INVALID_ARGUMENT = 1, /* the caller passed something malformed */
    ADMIT_E_NOT_FOUND = 2,        /* no such route, method, policy, script, row ... */
    ADMIT_E_CONFLICT = 3,         /* a uniqueness rule refused the change (SQLSTATE 23505) */
    ADMIT_E_CONSTRAINT = 4,  /* another integrity rule refused it (check, foreign key, 23xxx) */
    ADMIT_E_UNAVAILABLE = 5, /* a dependency (PostgreSQL, Redis, broker) is unreachable */
    ADMIT_E_TIMEOUT = 6,     /* a deadline passed */
    ADMIT_E_INTERNAL = 7,    /* a bug or an unexpected failure; the message says what */
    ADMIT_E_UNSUPPORTED = 8, /* the peer does not offer this (older minor, missing backend) */
    ADMIT_E_REJECTED = 9,    /* a policy or validation refused the input */
    ADMIT_E_ABORTED = 10,    /* a callback asked to roll back; not an error of the host */
    ADMIT_E_STATE = 11       /* called at the wrong moment (e.g. registration after init) */
};

/* Receives bytes produced by a callee. May be called several times; the receiver appends. */
typedef struct admit_sink {
    void* ctx;
    void (*write)(void* ctx, const char* data, size_t len);
} admit_sink;

/* Log levels (passed as int32_t). */
enum {
    ADMIT_LOG_TRACE = 0,
    ADMIT_LOG_DEBUG = 1,
    ADMIT_LOG_INFO = 2,
    ADMIT_LOG_WARN = 3,
    ADMIT_LOG_ERROR = 4
};

/* Opaque host-owned handles. */
typedef struct admit_host admit_host; /* one per loaded plugin; valid from init to destroy */
typedef struct admit_response
    admit_response;               /* valid during one route handler call (1.6: or deferred) */
typedef struct admit_tx admit_tx; /* valid during one transaction callback */
typedef struct admit_metric admit_metric;               /* valid until the plugin is destroyed */
typedef struct admit_principal_out admit_principal_out; /* valid during one authenticate call */
typedef struct admit_deferred admit_deferred; /* 1.6: from response_defer to deferred_finish */

/* ------------------------------------------------------------------------------------------------
 * Requests and identity
 * --------------------------------------------------------------------------------------------- */

typedef struct admit_kv {
    admit_str key;
    admit_str value;
} admit_kv;

/* Who is calling. Established by the host (through the authenticator a plugin registered) before
 * any handler runs; identity headers sent by clients are never trusted. An anonymous caller has an
 * empty subject and no roles. The host knows no role or claim by meaning: roles are the names the
 * venue configuration declares ([access] roles), claims are opaque key/value strings that the
 * authenticator attaches (a membership tier, say) and that only plugins interpret. */
typedef struct admit_principal {
    uint32_t size;
    admit_str subject;      /* user id */
    const admit_str* roles; /* the caller's roles, each one a declared role name */
    uint32_t role_count;
    const admit_kv* claims; /* opaque claims, names unique */
    uint32_t claim_count;
    admit_str session; /* session / refresh family id, may be empty */
} admit_principal;

/* A request as a route handler sees it. Everything is valid during the handler call only. */
typedef struct admit_request {
    uint32_t size;
    admit_str method;       /* "GET", "POST", ... */
    admit_str path;         /* decoded path, without query string */
    admit_str query;        /* raw query string without '?', may be empty */
    admit_str body;         /* whole request body (the host enforces the size limit) */
    const admit_kv* params; /* path parameters by template name, e.g. {"hallId", "h_12"} */
    uint32_t param_count;
    const admit_kv* headers; /* request headers, names lower-case */
    uint32_t header_count;
    admit_str trace_id;    /* the id every response and log line of this request carries */
    admit_str remote_addr; /* the client IP address as text (through trusted proxies) */
    const admit_principal* principal; /* never NULL */
    admit_str idempotency_key;        /* the Idempotency-Key header, empty when absent */
} admit_request;

/* A route handler fills the response through the host functions response_*. Returning a status
 * other than ADMIT_OK without having set a response makes the host answer 500 INTERNAL with the
 * standard error body; the message goes to the log, not to the client. */
typedef admit_status (*admit_route_fn)(void* ctx, const admit_request* request,
                                       admit_response* response);

/* Route registration. Roles is a comma-separated list of the roles allowed to call the route, or
 * "public" (anyone, no token needed) or "authenticated" (any role with a valid token). The host
 * answers 401 UNAUTHENTICATED / 403 FORBIDDEN before the handler runs. A role or rate category that
 * the configuration does not declare is refused at registration, naming the plugin and the route.
 */
typedef struct admit_route_desc {
    uint32_t size;
    admit_str method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    admit_str path;   /* template: "/api/v1/halls/{hallId}/stages" */
    admit_str roles;
    admit_str
        rate_category; /* a declared rate category ([access] rate_categories); empty = "general" */
    admit_str summary; /* one line for /openapi.json */
    admit_route_fn handler;
    void* ctx;      /* passed back to handler; owned by the plugin */
    uint32_t flags; /* ADMIT_ROUTE_* bits */
    /* --- 1.2: the route's contract, one source for input validation and /openapi.json --- */
    admit_str operation_id; /* unique across the host, [A-Za-z][A-Za-z0-9_]*; empty: derived */
    /* JSON object text, empty = no contract (nothing validated, generic documentation):
     *   {"query":    <JSON Schema of an object whose properties are the query parameters>,
     *    "request":  <JSON Schema of the request body>,
     *    "response": {"status": 200 (2xx, or 3xx for a redirect), "description": "...",
     *                 "schema": <JSON Schema>,
     *                 "otherStatuses": [202] (optional: further 2xx with the same body),
     *                 "mediaType": "application/json" (default) or e.g. "image/png"},
     *    "errors":   {"404": ["NOT_FOUND"], "409": ["SEAT_TAKEN", ...], ...}}
     * The host compiles it at registration (an unsupported keyword or malformed schema refuses
     * the route, naming it) and answers 400 INVALID_REQUEST, naming the field, before the handler
     * runs when a query parameter or the body does not match. Supported JSON Schema keywords are
     * listed in plugin-api/README.md. */
    admit_str contract;
} admit_route_desc;

/* admit_route_desc.flags */
enum {
    /* The route makes Idempotency-Key replays idempotent itself (in its own storage), so the
     * host's generic replay guard stays out of its way. */
    ADMIT_ROUTE_OWN_IDEMPOTENCY = 1u << 0
};

/* Server-sent event stream route. The host keeps the connection open without holding a worker;
 * every stream_publish to the stream's topic reaches each open connection. The topic of a
 * connection is `topic_template` with the path parameters substituted, e.g. "seats:{scheduleId}".
 * `on_open`, optional, writes the JSON data of an initial event named "snapshot" into
 * `first_event` (nothing written: no initial event); ADMIT_E_NOT_FOUND answers 404. */
typedef admit_status (*admit_stream_open_fn)(void* ctx, const admit_request* request,
                                             admit_sink* first_event);
/* 1.3: the end of a stream whose on_open returned ADMIT_OK. `request` is a view of the opening
 * request as on_open saw it (method, path, query, path parameters, trace id, remote address,
 * principal; no headers, no body), valid during the call only. Contract:
 *   - Called exactly once per connection that on_open accepted, however the stream ends: the
 *     client went away, a write failed or timed out, the stream was cut as too slow or at its
 *     maximum lifetime, the stream was never started (a HEAD request, the per-client stream cap,
 *     the connection lost while on_open ran), or the host is stopping. Never called for an open
 *     that on_open refused (any status but ADMIT_OK); a stream without on_open accepts every open.
 *   - Called on a host I/O thread (or, while the host stops, on the thread that stops it; rarely
 *     on a worker thread), not necessarily the thread that ran on_open; calls for different
 *     connections may run concurrently. Every call happens before the plugin's `stop`.
 *   - Must not block (no database or network round trip, no lock held long): it runs on the
 *     thread that serves other connections. Record the end and return; do slow work elsewhere.
 *   - A host older than 1.3 ignores the member: a plugin whose ADMIT_TARGET_MINOR is older must
 *     work without it (the stream's end is then never reported). */
typedef void (*admit_stream_close_fn)(void* ctx, const admit_request* request);
typedef struct admit_stream_desc {
    uint32_t size;
    admit_str path;
    admit_str roles;
    admit_str topic_template;
    admit_str summary;
    admit_stream_open_fn on_open; /* may be NULL */
    void* ctx;
    /* --- 1.2: as admit_route_desc (the "request" member is not allowed: streams have no body) */
    admit_str operation_id;
    admit_str contract;
    /* --- 1.3: called once when a stream that on_open accepted ends (may be NULL); gets `ctx` */
    admit_stream_close_fn on_close;
} admit_stream_desc;

/* The authenticator turns a bearer token into a principal (principal_set) or returns
 * ADMIT_E_REJECTED for a token that is not valid (the host answers 401). At most one plugin
 * registers one. Called by the host once per request that carries Authorization: Bearer. */
typedef admit_status (*admit_authenticate_fn)(void* ctx, admit_str bearer_token,
                                              admit_principal_out* out);

typedef struct admit_authenticator_desc {
    uint32_t size;
    admit_authenticate_fn authenticate;
    void* ctx; /* passed back to authenticate; owned by the plugin */
} admit_authenticator_desc;

/* One SSE message for stream_publish. `id`, when not empty, becomes the message's `id:` field
 * (clients send it back as Last-Event-ID). */
typedef struct admit_stream_event {
    uint32_t size;
    admit_str topic;
    admit_str event_name;
    admit_str data; /* JSON */
    admit_str id;
} admit_stream_event;

/* ------------------------------------------------------------------------------------------------
 * PostgreSQL
 * --------------------------------------------------------------------------------------------- */

/* Receives a result set row by row: on_columns once (even for zero rows), then on_row per row.
 * values[i].ptr == NULL means SQL NULL. All values are in PostgreSQL text format. */
typedef struct admit_row_visitor {
    uint32_t size; /* sizeof(admit_row_visitor) as the caller built it */
    void* ctx;
    void (*on_columns)(void* ctx, const admit_str* names, uint32_t count);
    void (*on_row)(void* ctx, const admit_str* values, uint32_t count);
} admit_row_visitor;

/* Body of a transaction. Return ADMIT_OK to commit; anything else rolls back and becomes the
 * result of db_transaction. */
typedef admit_status (*admit_tx_fn)(void* ctx, admit_tx* tx);

/* Work registered with tx_on_commit. Called exactly once per registration: with committed = 1
 * after the transaction committed, or with committed = 0 when it rolled back (so the plugin can
 * free ctx). Runs on the thread that ran the transaction, after the connection went back to the
 * pool; it must not fail the transaction (it is too late) and may call any thread-safe host
 * function. */
typedef void (*admit_commit_fn)(void* ctx, int32_t committed);

/* A migration of the plugin's own schema (named like the plugin). */
typedef struct admit_migration_desc {
    uint32_t size;
    uint32_t version; /* 1, 2, ...: applied in order, once, each in its own transaction */
    admit_str name;
    admit_str sql;
} admit_migration_desc;

/* ------------------------------------------------------------------------------------------------
 * Redis
 * --------------------------------------------------------------------------------------------- */

/* admit_redis_reply.type */
enum {
    ADMIT_REDIS_NIL = 0,
    ADMIT_REDIS_STRING = 1, /* bulk or status string */
    ADMIT_REDIS_INTEGER = 2,
    ADMIT_REDIS_ARRAY = 3,
    ADMIT_REDIS_ERROR = 4
};

/* A reply tree. Elements are pointers, so that a later minor may append fields to this struct
 * without changing how an older plugin walks an array. */
typedef struct admit_redis_reply {
    uint32_t size; /* sizeof(admit_redis_reply) as the host built it */
    int32_t type;  /* ADMIT_REDIS_* */
    int64_t integer;
    admit_str str;
    const struct admit_redis_reply* const* elements;
    uint32_t element_count;
} admit_redis_reply;

/* A Lua script registered under a name; loaded once, called by SHA, reloaded after NOSCRIPT. */
typedef struct admit_redis_script_desc {
    uint32_t size;
    admit_str name; /* unique per plugin */
    admit_str source;
} admit_redis_script_desc;

/* Receives a reply tree, valid only during the call. */
typedef void (*admit_redis_reply_fn)(void* ctx, const admit_redis_reply* reply);

/* ------------------------------------------------------------------------------------------------
 * Events (transactional outbox)
 * --------------------------------------------------------------------------------------------- */

typedef struct admit_event {
    uint32_t size;
    admit_str id; /* unique, stable across redeliveries */
    admit_str topic;
    admit_str key;           /* ordering key: events with one key arrive in publish order */
    admit_str payload;       /* JSON */
    int64_t published_at_us; /* unix microseconds */
    uint32_t attempt;        /* 1 on first delivery */
} admit_event;

/* A subscriber runs inside a database transaction that also records the event id as handled by
 * this subscriber; its writes through `tx` commit together with that record, so its effect
 * happens once although delivery is at-least-once. Non-OK: rolled back, retried with backoff,
 * then parked in the dead-letter table with the error message. */
typedef admit_status (*admit_event_fn)(void* ctx, admit_tx* tx, const admit_event* event,
                                       admit_sink* error);

/* An event to write to the outbox (event_publish). */
typedef struct admit_event_out {
    uint32_t size;
    admit_str topic;   /* no '*' */
    admit_str key;     /* ordering key */
    admit_str payload; /* JSON object; the host adds no field to it */
} admit_event_out;

/* admit_subscription_desc.flags (1.5). */
/* People wait to see the subscriber's effect (a seat map's stream after a hold): the host runs its
 * deliveries at request priority. Without it they run in the background (a lower CPU priority),
 * so that in a burst the cores go to requests first; most subscribers (notifications, audit,
 * tickets) want that. */
#define ADMIT_SUBSCRIPTION_INTERACTIVE 1u

typedef struct admit_subscription_desc {
    uint32_t size;
    admit_str topic;      /* exact topic, or a prefix ending in '*' ("reservation.*") */
    admit_str subscriber; /* stable name, unique per plugin; handled ids are recorded under it */
    admit_event_fn handler;
    void* ctx;
    /* --- 1.5 --- */
    uint32_t flags; /* ADMIT_SUBSCRIPTION_* bits; unknown bits are refused */
} admit_subscription_desc;

/* ------------------------------------------------------------------------------------------------
 * Service calls, jobs, metrics
 * --------------------------------------------------------------------------------------------- */

/* A named method that other plugins call ("reservation.confirm"). JSON in, JSON out.
 * `caller` is the principal of the request on whose behalf the call is made (empty when a job or
 * an event handler calls). */
typedef admit_status (*admit_service_fn)(void* ctx, const admit_principal* caller, admit_str input,
                                         admit_sink* output, admit_sink* error);

typedef struct admit_service_desc {
    uint32_t size;
    admit_str method; /* "<plugin>.<method>" */
    admit_service_fn fn;
    void* ctx; /* passed back to fn; owned by the plugin */
} admit_service_desc;

/* A job run. `payload` is empty for periodic jobs. Non-OK is logged and counted; a delayed job
 * that fails is retried with backoff and parked after its attempts run out. */
typedef admit_status (*admit_job_fn)(void* ctx, admit_str payload, admit_sink* error);

typedef struct admit_job_desc {
    uint32_t size;
    admit_str name;       /* unique per plugin */
    uint64_t interval_ms; /* > 0: periodic; 0: runs only when enqueued (delayed job handler) */
    admit_job_fn run;
    void* ctx;
} admit_job_desc;

/* admit_metric_desc.kind */
enum { ADMIT_METRIC_COUNTER = 0, ADMIT_METRIC_GAUGE = 1, ADMIT_METRIC_HISTOGRAM = 2 };

typedef struct admit_metric_desc {
    uint32_t size;
    uint32_t kind;  /* ADMIT_METRIC_* */
    admit_str name; /* [a-z_][a-z0-9_]*; exported as admit_<plugin>_<name> */
    admit_str help;
    admit_str labels; /* a fixed label set rendered as given ("grade=\"VIP\"", may be empty) */
    /* Histograms only: upper bounds, strictly increasing (bucket_count 0: default latency buckets
     * in seconds). Copied by the host. */
    const double* buckets;
    uint32_t bucket_count;
} admit_metric_desc;

/* ------------------------------------------------------------------------------------------------
 * Outbound HTTP (ABI 1.1)
 *
 * One upstream is scheme + host + port of the URL. The host keeps a pool of keep-alive connections
 * and a circuit breaker per upstream (a sliding window of the last calls; it opens on too many
 * failures or slow calls, refuses calls while open, then lets a few trial calls through), and
 * exports per-upstream metrics (admit_outbound_*). https verifies the server certificate against
 * the system store (plus [outbound] ca_file) and the host name.
 * --------------------------------------------------------------------------------------------- */

typedef struct admit_http_request {
    uint32_t size;
    admit_str method; /* "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" */
    admit_str url;    /* absolute: http[s]://host[:port]/path[?query] */
    /* Request headers (Host, Content-Length and Connection are set by the host). A header named
     * "Idempotency-Key" makes a POST or PATCH retryable like GET/HEAD/PUT/DELETE. */
    const admit_kv* headers;
    uint32_t header_count;
    admit_str body;
    /* 0 = the host's default ([outbound] connect_timeout_ms / read_timeout_ms). Each value is
     * capped at [outbound] max_timeout_ms. read_timeout_ms runs from the start of the write to the
     * end of the response. */
    uint32_t connect_timeout_ms;
    uint32_t read_timeout_ms;
    /* Attempts in all, 0 = the host's default ([outbound] max_attempts), capped by it. Only an
     * idempotent request (above) is sent again after a timeout or a broken connection; a request
     * that certainly did not leave (no connection) is tried again whatever its method. Between
     * attempts the host waits [outbound] retry_backoff_ms, doubling. So a call blocks its thread
     * at most attempts * (connect + read timeout) + the backoffs. */
    uint32_t max_attempts;
} admit_http_request;

typedef struct admit_http_response {
    uint32_t size;
    int32_t status;          /* HTTP status code */
    const admit_kv* headers; /* response headers, names lower-case */
    uint32_t header_count;
    admit_str body;
    uint32_t attempts;   /* how many times the request was sent (1 = first try answered) */
    uint32_t latency_ms; /* wall time of the whole call, retries included */
} admit_http_response;

/* Receives the answer of http_request, valid only during the call. */
typedef void (*admit_http_response_fn)(void* ctx, const admit_http_response* response);

/* ------------------------------------------------------------------------------------------------
 * The host function table
 *
 * Registration functions (marked [init]) may only be called during the plugin's init; afterwards
 * they return ADMIT_E_STATE. If init fails, everything the plugin registered is rolled back.
 * --------------------------------------------------------------------------------------------- */

typedef struct admit_host_api {
    uint32_t size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- identity, config, logging, clock --- */
    /* This plugin's own config section as a JSON object ("{}" when absent). */
    void (*config_json)(admit_host* host, admit_sink* out);
    void (*log)(admit_host* host, int32_t level, admit_str message); /* level: ADMIT_LOG_* */
    /* Unix time in microseconds from the host clock (controllable in tests). */
    int64_t (*now_us)(admit_host* host);

    /* --- HTTP --- */
    admit_status (*route_register)(admit_host* host, const admit_route_desc* route,
                                   admit_sink* error); /* [init] */
    admit_status (*stream_register)(admit_host* host, const admit_stream_desc* stream,
                                    admit_sink* error); /* [init] */
    /* Sends an SSE event to every open stream of event->topic. */
    void (*stream_publish)(admit_host* host, const admit_stream_event* event);
    void (*response_status)(admit_response* response, int32_t http_status);
    void (*response_header)(admit_response* response, admit_str name, admit_str value);
    /* Sets the body (copied). content_type empty means application/json; charset=utf-8. */
    void (*response_body)(admit_response* response, admit_str body, admit_str content_type);
    /* Writes the standard error body {"code","message","traceId"} with the status; headers set
     * before (response_header) are kept. */
    void (*response_error)(admit_response* response, int32_t http_status, admit_str code,
                           admit_str message);

    /* --- auth hook --- */
    admit_status (*authenticator_register)(admit_host* host, const admit_authenticator_desc* desc,
                                           admit_sink* error); /* [init] */
    /* Copies `principal` (size-prefixed; the strings are borrowed for the call) into `out`. A role
     * the configuration does not declare is refused with ADMIT_E_INVALID_ARGUMENT. */
    admit_status (*principal_set)(admit_principal_out* out, const admit_principal* principal);

    /* --- PostgreSQL --- */
    /* Registers a migration of this plugin's schema. The host applies pending ones in order at
     * start, once, each in its own transaction. */
    admit_status (*db_migration_register)(admit_host* host, const admit_migration_desc* migration,
                                          admit_sink* error); /* [init] */
    /* Runs one parameterized statement ($1, $2 ...). tx NULL: runs alone (autocommit).
     * params[i].ptr NULL is SQL NULL. rows may be NULL. affected (may be NULL) receives the
     * affected row count. */
    admit_status (*db_exec)(admit_host* host, admit_tx* tx, admit_str sql, const admit_str* params,
                            uint32_t param_count, const admit_row_visitor* rows, uint64_t* affected,
                            admit_sink* error);
    /* Runs fn inside one transaction on one pooled connection: commit on ADMIT_OK, rollback
     * otherwise. The transaction handle is valid only inside fn and on its thread. */
    admit_status (*db_transaction)(admit_host* host, admit_tx_fn fn, void* ctx, admit_sink* error);

    /* --- Redis --- */
    admit_status (*redis_command)(admit_host* host, const admit_str* argv, uint32_t argc,
                                  admit_redis_reply_fn reply, void* reply_ctx, admit_sink* error);
    admit_status (*redis_script_register)(admit_host* host, const admit_redis_script_desc* script,
                                          admit_sink* error); /* [init] */
    admit_status (*redis_script_eval)(admit_host* host, admit_str name, const admit_str* keys,
                                      uint32_t key_count, const admit_str* args, uint32_t arg_count,
                                      admit_redis_reply_fn reply, void* reply_ctx,
                                      admit_sink* error);

    /* --- events --- */
    /* Writes the event to the outbox inside `tx` (required): delivered only if tx commits. Inside a
     * db_transaction the host writes all of the body's events with one statement after the body
     * returned ADMIT_OK, before COMMIT (in publish order); if that write fails, the transaction
     * fails as a whole. In a subscriber's transaction each event is written at once. */
    admit_status (*event_publish)(admit_host* host, admit_tx* tx, const admit_event_out* event,
                                  admit_sink* error);
    admit_status (*event_subscribe)(admit_host* host, const admit_subscription_desc* subscription,
                                    admit_sink* error); /* [init] */

    /* --- service calls --- */
    admit_status (*service_register)(admit_host* host, const admit_service_desc* service,
                                     admit_sink* error); /* [init] */
    /* Calls a method by its full name. When no loaded plugin offers it the call fails closed with
     * ADMIT_E_UNAVAILABLE and a message naming the method: callers must never read that as "no
     * such object". caller may be NULL (no principal). */
    admit_status (*service_call)(admit_host* host, admit_str method, const admit_principal* caller,
                                 admit_str input, admit_sink* output, admit_sink* error);

    /* --- policies --- */
    /* Evaluates policy `name` on a JSON input. decision receives the decision JSON, revision the
     * revision (hash of the sources) that made it. On a bounded failure (budget, memory, deadline,
     * runtime error) the policy's declared fallback decision is returned with ADMIT_OK and the
     * error is logged; ADMIT_E_NOT_FOUND when no such policy exists. */
    admit_status (*policy_eval)(admit_host* host, admit_str name, admit_str input,
                                admit_sink* decision, admit_sink* revision, admit_sink* error);

    /* --- jobs --- */
    admit_status (*job_register)(admit_host* host, const admit_job_desc* job,
                                 admit_sink* error); /* [init] */
    /* Enqueues a run of this plugin's job `name` at run_at_us (durably, inside tx when given). With
     * several hosts, each enqueued run executes once; each periodic job runs on one host at a time.
     */
    admit_status (*job_enqueue)(admit_host* host, admit_tx* tx, admit_str name, int64_t run_at_us,
                                admit_str payload, admit_sink* error);

    /* --- metrics --- */
    /* Registers a metric; *out receives its handle (valid until the plugin is destroyed). */
    admit_status (*metric_register)(admit_host* host, const admit_metric_desc* metric,
                                    admit_metric** out, admit_sink* error); /* [init] */
    /* Counter: adds value. Gauge: sets value. Histogram: observes value. */
    void (*metric_record)(admit_metric* metric, double value);

    /* Sets the body without copying it (a cached body sent to many clients). The host reads `body`,
     * which must stay unchanged, until it calls release(release_ctx): exactly once, from any
     * thread, when it no longer needs the bytes (after the response was written or dropped, or when
     * a later response_body/response_error replaced it). release may be NULL for static bytes.
     * content_type as for response_body. */
    void (*response_body_borrowed)(admit_response* response, admit_str body, admit_str content_type,
                                   void (*release)(void* release_ctx), void* release_ctx);

    /* Registers work that runs only after `tx` committed (cache updates, SSE messages); see
     * admit_commit_fn. Valid for db_transaction bodies and subscriber transactions. */
    admit_status (*tx_on_commit)(admit_tx* tx, admit_commit_fn fn, void* ctx, admit_sink* error);

    /* Threads a plugin starts itself (a follower, a batcher) may call: log, now_us, db_exec (tx
     * NULL), db_transaction, redis_command, redis_script_eval, service_call, policy_eval,
     * job_enqueue (tx NULL), stream_publish and metric_record, between the plugin's start and the
     * return of its stop, which must join them. Registration functions answer ADMIT_E_STATE from
     * any thread outside init; handles (admit_tx, admit_response) never leave the callback that
     * received them, except a deferred response's (1.6: deferred_response, until its finish). */

    /* --- appended after 1.0: check with ADMIT_HAS_FIELD (ADMIT_HOST_OFFERS in the SDK) --- */

    /* --- 1.1: outbound HTTP --- */
    /* Sends one HTTP(S) request to an external service and waits for its answer, on the calling
     * thread (synchronous: a route handler blocks its worker for at most the bounded deadline
     * described at admit_http_request). On ADMIT_OK, on_response is called exactly once with the
     * answer (any HTTP status, 4xx and 5xx included) before http_request returns. Otherwise:
     *   ADMIT_E_UNAVAILABLE       the request certainly did not leave this host: the upstream's
     *                             circuit breaker is open, the name did not resolve, no connection
     *                             or TLS session could be made. Safe to retry later with any
     *                             method.
     *   ADMIT_E_TIMEOUT           the request was (or may have been) written and no complete
     *                             answer came: the read timeout passed, or the connection broke
     *                             after the write. The upstream may have acted on it: the caller
     *                             must treat the effect as UNKNOWN, never as refused.
     *   ADMIT_E_REJECTED          an answer came but its body exceeded the host's cap
     *                             ([outbound] max_response_bytes): also "may have acted".
     *   ADMIT_E_INVALID_ARGUMENT  malformed request (URL, method, header, timeout).
     *   ADMIT_E_UNSUPPORTED       the host has no outbound HTTP configured.
     * Callable from handlers, subscribers, jobs, service methods and the plugin's own threads
     * (between start and stop). Thread-safe. */
    admit_status (*http_request)(admit_host* host, const admit_http_request* request,
                                 admit_http_response_fn on_response, void* response_ctx,
                                 admit_sink* error);

    /* --- 1.4: work before the commit --- */
    /* Registers `fn` to run inside `tx` once, after the body (db_transaction) or every handler
     * sharing the transaction (a subscriber's batch: the host may deliver several events in one
     * transaction) returned ADMIT_OK, just before COMMIT: one place to write what several calls
     * gathered (group commit). fn gets `ctx` and the same transaction, may run statements and
     * publish events on it, and may register further before-commit work (run after it). Its
     * non-OK status rolls the whole transaction back, as a failing body or handler would.
     * Runs in registration order, on the transaction's thread. NOT called when the transaction
     * rolls back before reaching its end (a failing body or handler, a lost connection): a
     * plugin that owns `ctx` learns the end from tx_on_commit, which reports every end.
     * ADMIT_E_STATE when `tx` takes no such work. */
    admit_status (*tx_before_commit)(admit_tx* tx, admit_tx_fn fn, void* ctx, admit_sink* error);

    /* --- 1.6: responses answered later --- */
    /* A route handler that would wait for something (a batch commit, another thread) answers
     * later instead, and its worker thread serves other requests meanwhile:
     *   1. response_defer(response) during the handler call; the handler then returns ADMIT_OK
     *      without writing `response` (which it must not touch again).
     *   2. Later, from any thread, the plugin writes the answer through the response_* functions
     *      on deferred_response(deferred), one thread at a time,
     *   3. and calls deferred_finish(deferred) exactly once: the host sends the answer and frees
     *      `deferred` (the finish may even come before the handler returned).
     * response_defer returns NULL when this response cannot be deferred (not a route handler's,
     * deferred already); the handler then answers as usual. A finish without any response_* call
     * answers 500 INTERNAL. The host answers 503 DEPENDENCY_UNAVAILABLE itself when no finish
     * came within its request timeout ([server] request_timeout_ms) or the client is gone; a
     * later finish is still required (it frees `deferred`) and is dropped. Every deferred
     * response is finished before the plugin's stop returns. Thread-safe. */
    admit_deferred* (*response_defer)(admit_response* response);
    admit_response* (*deferred_response)(admit_deferred* deferred);
    void (*deferred_finish)(admit_deferred* deferred);
} admit_host_api;

/* ------------------------------------------------------------------------------------------------
 * The plugin descriptor
 * --------------------------------------------------------------------------------------------- */

typedef struct admit_plugin_descriptor {
    uint32_t size;
    uint16_t abi_major;  /* ADMIT_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;  /* the oldest host minor it needs: ADMIT_TARGET_MINOR */
    const char* name;    /* NUL-terminated, [a-z][a-z0-9_]*; also the plugin's schema name */
    const char* version; /* NUL-terminated semver */
    const char* const* dependencies; /* names of plugins that must start first */
    uint32_t dependency_count;
    const char* const* capabilities; /* free-form tags, e.g. "authenticator" */
    uint32_t capability_count;

    /* Creates the plugin instance and registers everything it offers. api and host stay valid
     * until destroy returns. On failure: write the reason to `error`, return non-OK; the host
     * rolls back the registrations and calls destroy with *instance (which may be NULL). */
    admit_status (*init)(const admit_host_api* api, admit_host* host, void** instance,
                         admit_sink* error);
    /* Called after every plugin's init and after migrations, in dependency order. Traffic arrives
     * only after every plugin has started. */
    admit_status (*start)(void* instance, admit_sink* error);
    /* Called in reverse dependency order after traffic has stopped. */
    void (*stop)(void* instance);
    /* Frees the instance. Called exactly once after a successful or failed init. */
    void (*destroy)(void* instance);
    /* Optional (may be NULL): ADMIT_OK when healthy; detail receives a short text. */
    admit_status (*health)(void* instance, admit_sink* detail);

    /* --- appended after 1.0: the host reads these only when `size` covers them --- */
} admit_plugin_descriptor;

/* Signature of the exported entry symbol. Returns a pointer to a static descriptor; must do no
 * other work (it runs right after dlopen). */
typedef const admit_plugin_descriptor* (*admit_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ADMIT_ABI_H */
