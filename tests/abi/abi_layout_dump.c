/* Prints the layout of every struct of abi.h, one line per field ("struct.field offset size") and
 * one per struct ("struct sizeof N"). tests/abi compares the output with the golden file of the
 * current minor (abi_layout_1_<minor>.golden, exactly) and with every older one (each of its
 * lines must still hold; only the sizeof of an appendable struct may grow). Compiled with gcc
 * -std=c99 -pedantic by the test. */
#include <admit/abi.h>

#include <stdio.h>

#define SIZE(type) printf("%s sizeof %u\n", #type, (unsigned)sizeof(type))
#define FIELD(type, field)                                                  \
    printf("%s.%s %u %u\n", #type, #field, (unsigned)offsetof(type, field), \
           (unsigned)sizeof(((type*)0)->field))

int main(void) {
    printf("ADMIT_ABI_MAJOR %d\n", ADMIT_ABI_MAJOR);
    printf("pointer %u size_t %u\n", (unsigned)sizeof(void*), (unsigned)sizeof(size_t));

    SIZE(admit_str);
    FIELD(admit_str, ptr);
    FIELD(admit_str, len);

    SIZE(admit_sink);
    FIELD(admit_sink, ctx);
    FIELD(admit_sink, write);

    SIZE(admit_kv);
    FIELD(admit_kv, key);
    FIELD(admit_kv, value);

    SIZE(admit_principal);
    FIELD(admit_principal, size);
    FIELD(admit_principal, subject);
    FIELD(admit_principal, roles);
    FIELD(admit_principal, role_count);
    FIELD(admit_principal, claims);
    FIELD(admit_principal, claim_count);
    FIELD(admit_principal, session);

    SIZE(admit_request);
    FIELD(admit_request, size);
    FIELD(admit_request, method);
    FIELD(admit_request, path);
    FIELD(admit_request, query);
    FIELD(admit_request, body);
    FIELD(admit_request, params);
    FIELD(admit_request, param_count);
    FIELD(admit_request, headers);
    FIELD(admit_request, header_count);
    FIELD(admit_request, trace_id);
    FIELD(admit_request, remote_addr);
    FIELD(admit_request, principal);
    FIELD(admit_request, idempotency_key);

    SIZE(admit_route_desc);
    FIELD(admit_route_desc, size);
    FIELD(admit_route_desc, method);
    FIELD(admit_route_desc, path);
    FIELD(admit_route_desc, roles);
    FIELD(admit_route_desc, rate_category);
    FIELD(admit_route_desc, summary);
    FIELD(admit_route_desc, handler);
    FIELD(admit_route_desc, ctx);
    FIELD(admit_route_desc, flags);
    FIELD(admit_route_desc, operation_id);
    FIELD(admit_route_desc, contract);

    SIZE(admit_stream_desc);
    FIELD(admit_stream_desc, size);
    FIELD(admit_stream_desc, path);
    FIELD(admit_stream_desc, roles);
    FIELD(admit_stream_desc, topic_template);
    FIELD(admit_stream_desc, summary);
    FIELD(admit_stream_desc, on_open);
    FIELD(admit_stream_desc, ctx);
    FIELD(admit_stream_desc, operation_id);
    FIELD(admit_stream_desc, contract);
    FIELD(admit_stream_desc, on_close);

    SIZE(admit_authenticator_desc);
    FIELD(admit_authenticator_desc, size);
    FIELD(admit_authenticator_desc, authenticate);
    FIELD(admit_authenticator_desc, ctx);

    SIZE(admit_stream_event);
    FIELD(admit_stream_event, size);
    FIELD(admit_stream_event, topic);
    FIELD(admit_stream_event, event_name);
    FIELD(admit_stream_event, data);
    FIELD(admit_stream_event, id);

    SIZE(admit_row_visitor);
    FIELD(admit_row_visitor, size);
    FIELD(admit_row_visitor, ctx);
    FIELD(admit_row_visitor, on_columns);
    FIELD(admit_row_visitor, on_row);

    SIZE(admit_migration_desc);
    FIELD(admit_migration_desc, size);
    FIELD(admit_migration_desc, version);
    FIELD(admit_migration_desc, name);
    FIELD(admit_migration_desc, sql);

    SIZE(admit_redis_reply);
    FIELD(admit_redis_reply, size);
    FIELD(admit_redis_reply, type);
    FIELD(admit_redis_reply, integer);
    FIELD(admit_redis_reply, str);
    FIELD(admit_redis_reply, elements);
    FIELD(admit_redis_reply, element_count);

    SIZE(admit_redis_script_desc);
    FIELD(admit_redis_script_desc, size);
    FIELD(admit_redis_script_desc, name);
    FIELD(admit_redis_script_desc, source);

    SIZE(admit_event);
    FIELD(admit_event, size);
    FIELD(admit_event, id);
    FIELD(admit_event, topic);
    FIELD(admit_event, key);
    FIELD(admit_event, payload);
    FIELD(admit_event, published_at_us);
    FIELD(admit_event, attempt);

    SIZE(admit_event_out);
    FIELD(admit_event_out, size);
    FIELD(admit_event_out, topic);
    FIELD(admit_event_out, key);
    FIELD(admit_event_out, payload);

    SIZE(admit_subscription_desc);
    FIELD(admit_subscription_desc, size);
    FIELD(admit_subscription_desc, topic);
    FIELD(admit_subscription_desc, subscriber);
    FIELD(admit_subscription_desc, handler);
    FIELD(admit_subscription_desc, ctx);
    FIELD(admit_subscription_desc, flags);

    SIZE(admit_service_desc);
    FIELD(admit_service_desc, size);
    FIELD(admit_service_desc, method);
    FIELD(admit_service_desc, fn);
    FIELD(admit_service_desc, ctx);

    SIZE(admit_job_desc);
    FIELD(admit_job_desc, size);
    FIELD(admit_job_desc, name);
    FIELD(admit_job_desc, interval_ms);
    FIELD(admit_job_desc, run);
    FIELD(admit_job_desc, ctx);

    SIZE(admit_metric_desc);
    FIELD(admit_metric_desc, size);
    FIELD(admit_metric_desc, kind);
    FIELD(admit_metric_desc, name);
    FIELD(admit_metric_desc, help);
    FIELD(admit_metric_desc, labels);
    FIELD(admit_metric_desc, buckets);
    FIELD(admit_metric_desc, bucket_count);

    SIZE(admit_http_request);
    FIELD(admit_http_request, size);
    FIELD(admit_http_request, method);
    FIELD(admit_http_request, url);
    FIELD(admit_http_request, headers);
    FIELD(admit_http_request, header_count);
    FIELD(admit_http_request, body);
    FIELD(admit_http_request, connect_timeout_ms);
    FIELD(admit_http_request, read_timeout_ms);
    FIELD(admit_http_request, max_attempts);

    SIZE(admit_http_response);
    FIELD(admit_http_response, size);
    FIELD(admit_http_response, status);
    FIELD(admit_http_response, headers);
    FIELD(admit_http_response, header_count);
    FIELD(admit_http_response, body);
    FIELD(admit_http_response, attempts);
    FIELD(admit_http_response, latency_ms);

    SIZE(admit_host_api);
    FIELD(admit_host_api, size);
    FIELD(admit_host_api, abi_major);
    FIELD(admit_host_api, abi_minor);
    FIELD(admit_host_api, config_json);
    FIELD(admit_host_api, log);
    FIELD(admit_host_api, now_us);
    FIELD(admit_host_api, route_register);
    FIELD(admit_host_api, stream_register);
    FIELD(admit_host_api, stream_publish);
    FIELD(admit_host_api, response_status);
    FIELD(admit_host_api, response_header);
    FIELD(admit_host_api, response_body);
    FIELD(admit_host_api, response_error);
    FIELD(admit_host_api, authenticator_register);
    FIELD(admit_host_api, principal_set);
    FIELD(admit_host_api, db_migration_register);
    FIELD(admit_host_api, db_exec);
    FIELD(admit_host_api, db_transaction);
    FIELD(admit_host_api, redis_command);
    FIELD(admit_host_api, redis_script_register);
    FIELD(admit_host_api, redis_script_eval);
    FIELD(admit_host_api, event_publish);
    FIELD(admit_host_api, event_subscribe);
    FIELD(admit_host_api, service_register);
    FIELD(admit_host_api, service_call);
    FIELD(admit_host_api, policy_eval);
    FIELD(admit_host_api, job_register);
    FIELD(admit_host_api, job_enqueue);
    FIELD(admit_host_api, metric_register);
    FIELD(admit_host_api, metric_record);
    FIELD(admit_host_api, response_body_borrowed);
    FIELD(admit_host_api, tx_on_commit);
    FIELD(admit_host_api, http_request);
    FIELD(admit_host_api, tx_before_commit);
    FIELD(admit_host_api, response_defer);
    FIELD(admit_host_api, deferred_response);
    FIELD(admit_host_api, deferred_finish);

    SIZE(admit_plugin_descriptor);
    FIELD(admit_plugin_descriptor, size);
    FIELD(admit_plugin_descriptor, abi_major);
    FIELD(admit_plugin_descriptor, abi_minor);
    FIELD(admit_plugin_descriptor, name);
    FIELD(admit_plugin_descriptor, version);
    FIELD(admit_plugin_descriptor, dependencies);
    FIELD(admit_plugin_descriptor, dependency_count);
    FIELD(admit_plugin_descriptor, capabilities);
    FIELD(admit_plugin_descriptor, capability_count);
    FIELD(admit_plugin_descriptor, init);
    FIELD(admit_plugin_descriptor, start);
    FIELD(admit_plugin_descriptor, stop);
    FIELD(admit_plugin_descriptor, destroy);
    FIELD(admit_plugin_descriptor, health);
    return 0;
}
