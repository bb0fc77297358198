// Stage layouts: the JSON description of sections, rows and seats that generates a stage's seats.
// Pure functions (no host access), so they are unit-tested directly.
//
// Layout (all lengths in arbitrary stage units; the stage origin is (0,0)):
//   {"sections": [{
//      "name": "A",                      required, 1..16 chars of [A-Za-z0-9]
//      "rows": 20, "seatsPerRow": 50,    required, each 1..500
//      "rowLabels": "letters"|"numbers", default letters (A..Z, AA, AB, ...)
//      "firstSeatNumber": 1,             default 1
//      "origin": {"x": 0, "y": 0},       position of the first seat of the first row
//      "spacing": {"x": 1, "y": 1},      distance between neighbouring seats / rows (> 0)
//      "aisleAfter": [10, 40],           a gap of one seat width after these seat numbers
//      "grade": "R",                     grade of rows no block names; default "GENERAL"
//      "gradeBlocks": [{"grade": "VIP", "fromRow": 1, "toRow": 3}]   1-based, inclusive
//   }]}
// A seat's label is "<section>-<row label>-<number>"; labels must be unique on the stage.
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace admit::arthall {

struct GeneratedSeat {
    std::string section;
    std::string row;
    int64_t number = 0;
    std::string label;
    double x = 0;
    double y = 0;
    std::string grade;
};

/// Validates `layout` and generates its seats in section/row/number order. Errors are
/// ADMIT_E_INVALID_ARGUMENT naming the offending field ("layout.sections[1].rows ...").
/// `max_seats` bounds the total before any seat is generated.
admit::sdk::Result<std::vector<GeneratedSeat>> generate_layout(const boost::json::value& layout,
                                                               int64_t max_seats);

/// Row label for 0-based row index `row` in "letters" style: 0 -> A, 25 -> Z, 26 -> AA.
std::string letter_label(int64_t row);

}  // namespace admit::arthall
