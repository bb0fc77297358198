// admit-policy-check [DIR]: validates and tests the policies in DIR (default ./policies).
#include "host/policy/offline_check.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    if (argc > 2 || (argc == 2 && (std::string_view(argv[1]) == "-h" ||
                                   std::string_view(argv[1]) == "--help"))) {
        std::cerr << "usage: admit-policy-check [DIR]  (default: policies)\n";
        return 2;
    }
    try {
        return admit::policy::run_offline_check(argc == 2 ? argv[1] : "policies", std::cout);
    } catch (const std::exception& e) {
        std::cerr << "admit-policy-check: " << e.what() << "\n";
        return 2;
    }
}
