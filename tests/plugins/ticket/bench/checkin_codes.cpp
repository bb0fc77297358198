// bench_checkin_codes: the data of scripts/bench checkin. Writes N tickets of one schedule as a
// CSV for COPY into ticket.tickets (ISSUED, each with its own id and seat label) and their
// static codes, one per line, signed with the venue key whose seed (base64url) is in the
// environment variable ADMIT_TICKET_SIGNING_KEY, the key the benchmark's admitd signs with.
// Usage: bench_checkin_codes N SCHEDULE_ID VALID_FROM VALID_UNTIL tickets.csv codes.txt
#include "codes/base45.hpp"
#include "codes/base64url.hpp"
#include "codes/init.hpp"
#include "codes/venue_key.hpp"

#include <admit/sdk/ids.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
    using namespace admit::ticket;
    if (argc != 7) {
        std::fprintf(stderr,
                     "usage: bench_checkin_codes N SCHEDULE_ID VALID_FROM VALID_UNTIL "
                     "tickets.csv codes.txt\n");
        return 2;
    }
    if (!init_ticket_codes().ok()) return 2;
    const char* seed_text = std::getenv("ADMIT_TICKET_SIGNING_KEY");
    auto seed = seed_text ? base64url_decode(seed_text) : std::nullopt;
    if (!seed) {
        std::fprintf(stderr, "ADMIT_TICKET_SIGNING_KEY must hold a base64url seed\n");
        return 2;
    }
    auto key = VenueSigningKey::from_seed(*seed);
    if (!key) {
        std::fprintf(stderr, "%s\n", key.error().message.c_str());
        return 2;
    }
    const long count = std::atol(argv[1]);
    const std::string schedule = argv[2];
    const long valid_from = std::atol(argv[3]);
    const long valid_until = std::atol(argv[4]);
    std::ofstream csv(argv[5]);
    std::ofstream codes(argv[6]);
    for (long i = 0; i < count; ++i) {
        const std::string id = admit::sdk::new_id("tkt");
        const std::string label = "B-" + std::to_string(i + 1);
        TicketPayload payload;
        payload.valid_from = static_cast<uint32_t>(valid_from);
        payload.valid_until = static_cast<uint32_t>(valid_until);
        payload.ticket_id = id;
        payload.schedule_id = schedule;
        payload.place_kind = PlaceKind::seat;
        payload.place = label;
        auto code = key->issue_code(payload);
        if (!code) {
            std::fprintf(stderr, "%s\n", code.error().message.c_str());
            return 1;
        }
        const std::string text = base45_encode(*code);
        // id, reservation_id, unit_key, schedule_id, product_id, user_id, seat_id, seat_label,
        // status, issue, kid, signed_ticket, ticket_seed, static_code, valid_from, valid_until
        csv << id << ",rsv_bench_" << i << ",seat_" << i << "," << schedule
            << ",prd_bench,usr_bench_" << i << ",seat_" << i << "," << label << ",ISSUED,0,"
            << key->public_key().kid << "," << text << ",bench-no-app-key," << text << ","
            << valid_from << "," << valid_until << "\n";
        codes << text << "\n";
    }
    return csv && codes ? 0 : 1;
}
