#include "layout.hpp"

#include <admit/sdk/json_fields.hpp>

#include <set>
#include <unordered_set>

namespace admit::arthall {
namespace {

using admit::sdk::Error;
using admit::sdk::Result;
namespace fields = admit::sdk::fields;

constexpr int64_t kMaxRows = 500;
constexpr int64_t kMaxSeatsPerRow = 500;

struct Point {
    double x = 0;
    double y = 0;
};

struct GradeBlock {
    std::string grade;
    int64_t from_row = 0;
    int64_t to_row = 0;
};

struct Section {
    std::string name;
    int64_t rows = 0;
    int64_t seats_per_row = 0;
    bool numeric_rows = false;
    int64_t first_seat = 1;
    Point origin;
    Point spacing{1, 1};
    std::set<int64_t> aisle_after;
    std::string grade = "GENERAL";
    std::vector<GradeBlock> blocks;
};

Error invalid(const std::string& where, const std::string& what) {
    return Error::invalid(where + " " + what);
}

/// Re-labels a fields:: error ("field 'rows' ...") with the full path of the section.
Error at(const std::string& where, const Error& e) {
    return Error::invalid(where + ": " + e.message);
}

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 16) return false;
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

Result<double> number_of(const boost::json::value& v, const std::string& where) {
    if (v.is_int64()) return static_cast<double>(v.as_int64());
    if (v.is_uint64()) return static_cast<double>(v.as_uint64());
    if (v.is_double()) return v.as_double();
    return invalid(where, "must be a number");
}

Result<Point> point_of(const boost::json::object& section, const char* key, Point fallback,
                       const std::string& where, bool positive) {
    const auto* value = section.if_contains(key);
    if (value == nullptr || value->is_null()) return fallback;
    const std::string path = where + "." + key;
    if (!value->is_object()) return invalid(path, "must be an object {x, y}");
    Point out = fallback;
    for (const char* axis : {"x", "y"}) {
        const auto* c = value->as_object().if_contains(axis);
        if (c == nullptr) continue;
        auto n = number_of(*c, path + "." + axis);
        if (!n) return std::move(n).error();
        if (positive && *n <= 0) return invalid(path + "." + axis, "must be greater than 0");
        (axis[0] == 'x' ? out.x : out.y) = *n;
    }
    return out;
}

Result<Section> parse_section(const boost::json::value& value, const std::string& where) {
    if (!value.is_object()) return invalid(where, "must be an object");
    const auto& obj = value.as_object();
    Section s;
    auto name = fields::required_string(obj, "name");
    if (!name) return at(where, name.error());
    if (!valid_name(*name)) return invalid(where + ".name", "must be 1-16 letters or digits");
    s.name = *name;
    auto rows = fields::required_int(obj, "rows", 1, kMaxRows);
    if (!rows) return at(where, rows.error());
    s.rows = *rows;
    auto per_row = fields::required_int(obj, "seatsPerRow", 1, kMaxSeatsPerRow);
    if (!per_row) return at(where, per_row.error());
    s.seats_per_row = *per_row;
    auto style = fields::optional_string(obj, "rowLabels");
    if (!style) return at(where, style.error());
    if (*style && **style != "letters" && **style != "numbers") {
        return invalid(where + ".rowLabels", "must be \"letters\" or \"numbers\"");
    }
    s.numeric_rows = *style && **style == "numbers";
    auto first = fields::optional_int(obj, "firstSeatNumber", 0, 100000);
    if (!first) return at(where, first.error());
    s.first_seat = first->value_or(1);
    auto origin = point_of(obj, "origin", {}, where, false);
    if (!origin) return std::move(origin).error();
    s.origin = *origin;
    auto spacing = point_of(obj, "spacing", {1, 1}, where, true);
    if (!spacing) return std::move(spacing).error();
    s.spacing = *spacing;
    if (const auto* aisles = obj.if_contains("aisleAfter");
        aisles != nullptr && !aisles->is_null()) {
        if (!aisles->is_array())
            return invalid(where + ".aisleAfter", "must be an array of seat numbers");
        for (const auto& a : aisles->as_array()) {
            if (!a.is_int64())
                return invalid(where + ".aisleAfter", "must be an array of seat numbers");
            s.aisle_after.insert(a.as_int64());
        }
    }
    auto grade = fields::optional_string(obj, "grade");
    if (!grade) return at(where, grade.error());
    if (*grade) {
        if ((*grade)->empty() || (*grade)->size() > 32)
            return invalid(where + ".grade", "must be 1-32 characters");
        s.grade = **grade;
    }
    if (const auto* blocks = obj.if_contains("gradeBlocks");
        blocks != nullptr && !blocks->is_null()) {
        if (!blocks->is_array()) return invalid(where + ".gradeBlocks", "must be an array");
        for (std::size_t i = 0; i < blocks->as_array().size(); ++i) {
            const std::string bw = where + ".gradeBlocks[" + std::to_string(i) + "]";
            const auto& b = blocks->as_array()[i];
            if (!b.is_object()) return invalid(bw, "must be an object");
            GradeBlock block;
            auto g = fields::required_string(b.as_object(), "grade");
            if (!g) return at(bw, g.error());
            if (g->size() > 32) return invalid(bw + ".grade", "must be 1-32 characters");
            auto from = fields::required_int(b.as_object(), "fromRow", 1, s.rows);
            if (!from) return at(bw, from.error());
            auto to = fields::required_int(b.as_object(), "toRow", *from, s.rows);
            if (!to) return at(bw, to.error());
            block = {*g, *from, *to};
            s.blocks.push_back(std::move(block));
        }
    }
    return s;
}

std::string grade_of_row(const Section& s, int64_t row_1based) {
    for (auto it = s.blocks.rbegin(); it != s.blocks.rend(); ++it) {  // later blocks win
        if (row_1based >= it->from_row && row_1based <= it->to_row) return it->grade;
    }
    return s.grade;
}

}  // namespace

std::string letter_label(int64_t row) {
    std::string out;
    int64_t n = row + 1;
    while (n > 0) {
        const int64_t rem = (n - 1) % 26;
        out.insert(out.begin(), static_cast<char>('A' + rem));
        n = (n - 1) / 26;
    }
    return out;
}

Result<std::vector<GeneratedSeat>> generate_layout(const boost::json::value& layout,
                                                   int64_t max_seats) {
    if (!layout.is_object()) return Error::invalid("field 'layout' must be an object");
    const auto* raw_sections = layout.as_object().if_contains("sections");
    if (raw_sections == nullptr || !raw_sections->is_array() || raw_sections->as_array().empty()) {
        return Error::invalid("field 'layout.sections' must be a non-empty array");
    }
    std::vector<Section> sections;
    int64_t total = 0;
    for (std::size_t i = 0; i < raw_sections->as_array().size(); ++i) {
        auto s = parse_section(raw_sections->as_array()[i],
                               "layout.sections[" + std::to_string(i) + "]");
        if (!s) return std::move(s).error();
        total += s->rows * s->seats_per_row;
        sections.push_back(std::move(*s));
    }
    if (total > max_seats) {
        return Error::invalid("field 'layout' generates " + std::to_string(total) +
                              " seats, more than the maximum " + std::to_string(max_seats));
    }

    std::vector<GeneratedSeat> seats;
    seats.reserve(static_cast<std::size_t>(total));
    std::unordered_set<std::string> labels;
    labels.reserve(static_cast<std::size_t>(total));
    for (std::size_t si = 0; si < sections.size(); ++si) {
        const Section& s = sections[si];
        for (int64_t r = 0; r < s.rows; ++r) {
            const std::string row = s.numeric_rows ? std::to_string(r + 1) : letter_label(r);
            const std::string grade = grade_of_row(s, r + 1);
            int64_t gaps = 0;
            for (int64_t k = 0; k < s.seats_per_row; ++k) {
                const int64_t number = s.first_seat + k;
                GeneratedSeat seat{s.name,
                                   row,
                                   number,
                                   s.name + "-" + row + "-" + std::to_string(number),
                                   s.origin.x + static_cast<double>(k + gaps) * s.spacing.x,
                                   s.origin.y + static_cast<double>(r) * s.spacing.y,
                                   grade};
                if (!labels.insert(seat.label).second) {
                    return Error::invalid("field 'layout.sections[" + std::to_string(si) +
                                          "]' repeats seat label " + seat.label +
                                          " (overlapping labels)");
                }
                seats.push_back(std::move(seat));
                if (s.aisle_after.count(number) != 0) ++gaps;
            }
        }
    }
    return seats;
}

}  // namespace admit::arthall
