// admit::testing::FakeHost: the whole admit_host_api in memory for plugin unit tests.
// The class and its documentation: fake_host_class.hpp. This header pulls in the implementation.
#pragma once

#include <admit/testing/fake_host_api.hpp>
#include <admit/testing/fake_host_class.hpp>
#include <admit/testing/fake_host_impl.hpp>
#include <admit/testing/fake_routing.hpp>
#include <admit/testing/fake_types.hpp>
