// Compiled by tests/layering with the host's include directories only: it must NOT compile, because
// host code cannot reach plugins/ (the include root holds host/ alone).
#include "plugins/auth/src/auth_plugin.hpp"

int main() { return 0; }
