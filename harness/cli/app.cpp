#include "harness/cli/app.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/core/plugins.hpp"
#include "harness/roofline/profile.hpp"

namespace cromwell {

int main(int argc, char** argv) {
  try {
    load_plugins();
    apply_profile_caches();
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "cromwell: error: {}\n", e.what());
    return cli::kExitBadInput;
  }
  CLI::App app{"cromwell: sweep, check and measure CPU kernels of LLM inference"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");
  std::vector<std::pair<CLI::App*, cli::Action>> actions;
  for (const auto& c : cli::commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    if (c.hidden) sub->group("");
    actions.emplace_back(sub, c.define(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : cli::kExitBadInput;
  }
  cli::Invocation inv;
  for (int i = 0; i < argc; ++i) inv.command_line += (i ? " " : "") + std::string(argv[i]);
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action(inv);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "cromwell: error: {}\n", e.what());
    return cli::kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cromwell: error: {}\n", e.what());
    return cli::kExitWrong;
  }
  return 0;
}

}  // namespace cromwell
