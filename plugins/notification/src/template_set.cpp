#include "template_set.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace admit::notification {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSeparator = "\n---\n";

sdk::Result<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return sdk::Error::invalid("cannot read template " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

sdk::Result<TemplateSet> TemplateSet::load(const std::string& dir,
                                           const std::string& default_language,
                                           const std::vector<std::string>& kinds) {
    TemplateSet set;
    set.default_language_ = default_language;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return sdk::Error::invalid("notification: templates_dir '" + dir + "' is not a folder");
    for (const auto& language : fs::directory_iterator(dir, ec)) {
        if (!language.is_directory()) continue;
        for (const auto& file : fs::directory_iterator(language.path(), ec)) {
            if (file.path().extension() != ".txt") continue;
            ADMIT_TRY_ASSIGN(const std::string text, read_file(file.path()));
            const std::string origin = file.path().string();
            const auto split = text.find(kSeparator);
            if (split == std::string::npos) {
                return sdk::Error::invalid(origin +
                                           ": a template is a subject line, a line '---' and "
                                           "the body; no '---' line found");
            }
            if (text.substr(0, split).find('\n') != std::string::npos)
                return sdk::Error::invalid(origin + ": the subject must be one line");
            ADMIT_TRY_ASSIGN(auto subject, MessageTemplate::parse(text.substr(0, split), origin));
            ADMIT_TRY_ASSIGN(auto body,
                             MessageTemplate::parse(text.substr(split + kSeparator.size()), origin,
                                                    /*first_line=*/3));
            set.templates_.insert_or_assign(
                {language.path().filename().string(), file.path().stem().string()},
                Pair{std::move(subject), std::move(body)});
        }
    }
    if (ec) return sdk::Error::invalid("notification: cannot list " + dir + ": " + ec.message());
    for (const auto& kind : kinds) {
        if (!set.templates_.contains({default_language, kind})) {
            return sdk::Error::invalid("notification: no template " + dir + "/" + default_language +
                                       "/" + kind + ".txt");
        }
    }
    return set;
}

sdk::Result<RenderedMessage> TemplateSet::render(const std::string& kind,
                                                 const std::string& language,
                                                 const boost::json::object& data) const {
    auto found = templates_.find({language, kind});
    if (found == templates_.end()) found = templates_.find({default_language_, kind});
    if (found == templates_.end()) return sdk::Error::invalid("no template for " + kind);
    RenderedMessage message;
    ADMIT_TRY_ASSIGN(message.subject, found->second.subject.render(data));
    ADMIT_TRY_ASSIGN(message.body, found->second.body.render(data));
    return message;
}

}  // namespace admit::notification
