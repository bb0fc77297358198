// Result sets of db_exec as owned values: column access by name or index, SQL NULL as nullopt.
#pragma once

#include <admit/sdk/result.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace admit::sdk {

class Rows;

/// One row of a Rows (a view; valid while the Rows lives). Values are PostgreSQL text format.
class Row {
  public:
    Row(const Rows& rows, std::size_t index) noexcept : rows_(&rows), index_(index) {}

    /// By column index; throws std::out_of_range for a bad index (a programming error).
    const std::optional<std::string>& operator[](std::size_t column) const;
    /// By column name: the value (nullopt for SQL NULL), or an Error naming the column when the
    /// result has no such column (a typo in a SELECT list is an error value, not a crash).
    Result<std::optional<std::string>> operator[](std::string_view column) const;

    /// The typed accessors below read a column the statement is known to return; a missing one is
    /// a programming error and throws std::out_of_range naming it (the SDK's barrier turns that
    /// into a logged 500). Use operator[] where the column may be absent.
    bool is_null(std::string_view column) const { return !value(column).has_value(); }
    /// Text value, `fallback` for NULL.
    std::string text(std::string_view column, std::string fallback = {}) const {
        const auto& found = value(column);
        return found ? *found : fallback;
    }
    /// Integer value; nullopt for NULL or text that is not an integer.
    std::optional<int64_t> int64(std::string_view column) const {
        const auto& value = this->value(column);
        if (!value) return std::nullopt;
        int64_t out = 0;
        const auto* end = value->data() + value->size();
        auto [ptr, ec] = std::from_chars(value->data(), end, out);
        if (ec != std::errc{} || ptr != end) return std::nullopt;
        return out;
    }
    /// Floating value (numeric, float8); nullopt for NULL or unparsable text.
    std::optional<double> real(std::string_view column) const {
        const auto& value = this->value(column);
        if (!value) return std::nullopt;
        try {
            std::size_t used = 0;
            double out = std::stod(*value, &used);
            return used == value->size() ? std::optional<double>(out) : std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    /// PostgreSQL boolean ("t"/"f"); nullopt for NULL or anything else.
    std::optional<bool> boolean(std::string_view column) const {
        const auto& value = this->value(column);
        if (!value) return std::nullopt;
        if (*value == "t" || *value == "true") return true;
        if (*value == "f" || *value == "false") return false;
        return std::nullopt;
    }

  private:
    /// The cell of `column`; throws std::out_of_range when there is no such column.
    const std::optional<std::string>& value(std::string_view column) const;

    const Rows* rows_;
    std::size_t index_;
};

/// An owned result set plus the affected row count.
class Rows {
  public:
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> values;  ///< values[row][column]
    uint64_t affected = 0;

    std::size_t size() const noexcept { return values.size(); }
    bool empty() const noexcept { return values.empty(); }
    Row operator[](std::size_t row) const { return Row(*this, row); }
    Row front() const { return Row(*this, 0); }

    /// Index of a column by name; throws std::out_of_range when absent.
    std::size_t column(std::string_view name) const {
        if (auto index = find_column(name)) return *index;
        throw std::out_of_range("result has no column '" + std::string(name) + "'");
    }
    /// Index of a column by name, or nullopt when the result has no such column.
    std::optional<std::size_t> find_column(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (columns[i] == name) return i;
        }
        return std::nullopt;
    }

    class iterator {
      public:
        iterator(const Rows* rows, std::size_t index) : rows_(rows), index_(index) {}
        Row operator*() const { return Row(*rows_, index_); }
        iterator& operator++() {
            ++index_;
            return *this;
        }
        bool operator==(const iterator& other) const = default;

      private:
        const Rows* rows_;
        std::size_t index_;
    };
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, values.size()}; }
};

inline const std::optional<std::string>& Row::operator[](std::size_t column) const {
    return rows_->values.at(index_).at(column);
}

inline Result<std::optional<std::string>> Row::operator[](std::string_view column) const {
    const auto index = rows_->find_column(column);
    if (!index || index_ >= rows_->values.size() || *index >= rows_->values[index_].size()) {
        return Error::invalid("the result has no column '" + std::string(column) + "'");
    }
    return rows_->values[index_][*index];
}

inline const std::optional<std::string>& Row::value(std::string_view column) const {
    return rows_->values.at(index_).at(rows_->column(column));
}

}  // namespace admit::sdk
