#pragma once
// A command of the `cromwell` program. Each command lives in one file of harness/cli/ that
// defines its options and its body; commands.cpp lists them. Adding a command is one new file plus
// one line in that list.
//
// Exit codes: 0 success; 1 a wrong result or a failed run (failed/error rows); 2 bad input, which
// is refused with a message naming the problem before anything is written.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace cromwell::cli {

inline constexpr int kExitWrong = 1, kExitBadInput = 2;

struct Invocation {
  std::string command_line;  // as typed, for the run context
};

using Action = std::function<int(const Invocation&)>;

struct Command {
  std::string name, help;
  // Declares the command's options on `app` and returns its body; the option values live in the
  // body's closure.
  std::function<Action(CLI::App& app)> define;
  bool hidden = false;  // internal: not listed in --help
};

const std::vector<Command>& commands();

Command list_command();
Command check_command();
Command sweep_command();
Command run_command();
Command compare_command();
Command counters_command();
Command merge_command();
Command report_command();
Command export_command();
Command child_command();
Command roofline_command();
Command gate_command();
Command decode_command();

}  // namespace cromwell::cli
