// The control of host_includes_plugins.cpp: the same compiler command with the host's include
// directories compiles a host include, so that test fails for the layering reason alone.
#include "host/common/result.hpp"

int main() { return 0; }
