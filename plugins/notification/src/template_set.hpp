// The message templates of a venue: <dir>/<language>/<kind>.txt, each a subject line, a line
// "---" and the body (see ../README.md). Loaded once at start; immutable afterwards, so safe to
// share between threads.
#pragma once

#include "message_template.hpp"

#include <admit/sdk.hpp>

#include <map>
#include <string>
#include <vector>

namespace admit::notification {

struct RenderedMessage {
    std::string subject;
    std::string body;
};

class TemplateSet {
  public:
    /// Loads every language folder of `dir`. INVALID_ARGUMENT (a startup error naming the file
    /// and line) when `dir` is not a folder, `default_language` lacks a template for one of
    /// `kinds`, or any file is malformed.
    static sdk::Result<TemplateSet> load(const std::string& dir,
                                         const std::string& default_language,
                                         const std::vector<std::string>& kinds);

    /// The message of `kind` in `language` (the default language when that one has no template
    /// for the kind). INVALID_ARGUMENT when `data` lacks a value the template uses.
    sdk::Result<RenderedMessage> render(const std::string& kind, const std::string& language,
                                        const boost::json::object& data) const;

    const std::string& default_language() const noexcept { return default_language_; }

  private:
    struct Pair {
        MessageTemplate subject;
        MessageTemplate body;
    };
    std::map<std::pair<std::string, std::string>, Pair> templates_;  ///< (language, kind)
    std::string default_language_;
};

}  // namespace admit::notification
