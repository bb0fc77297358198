// The Admit plugin SDK: include this one header to write a plugin.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/content_negotiation.hpp>
#include <admit/sdk/contract.hpp>
#include <admit/sdk/db.hpp>
#include <admit/sdk/event.hpp>
#include <admit/sdk/host.hpp>
#include <admit/sdk/http_client.hpp>
#include <admit/sdk/ids.hpp>
#include <admit/sdk/json_fields.hpp>
#include <admit/sdk/metric.hpp>
#include <admit/sdk/migrations.hpp>
#include <admit/sdk/paging.hpp>
#include <admit/sdk/plugin.hpp>
#include <admit/sdk/redis.hpp>
#include <admit/sdk/request.hpp>
#include <admit/sdk/response.hpp>
#include <admit/sdk/result.hpp>
#include <admit/sdk/rows.hpp>
#include <admit/sdk/time_text.hpp>
