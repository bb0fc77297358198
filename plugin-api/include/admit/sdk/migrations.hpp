// Migrations embedded into a plugin library by admit_add_plugin(... MIGRATIONS <dir>).
#pragma once

#include <cstddef>
#include <cstdint>

namespace admit::sdk {

struct EmbeddedMigration {
    uint32_t version;  ///< NNN of NNN_name.sql
    const char* name;  ///< name of NNN_name.sql
    const char* sql;   ///< file contents (NUL-terminated for convenience; sql_size excludes it)
    std::size_t sql_size;
};

struct EmbeddedMigrations {
    const EmbeddedMigration* items;
    std::size_t count;  ///< in version order
};

}  // namespace admit::sdk
