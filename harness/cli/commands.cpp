#include "harness/cli/command.hpp"

namespace cromwell::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      list_command(),     check_command(),  sweep_command(),  run_command(),  compare_command(),
      counters_command(), merge_command(),  report_command(), gate_command(), export_command(),
      roofline_command(), decode_command(), child_command(),
  };
  return all;
}

}  // namespace cromwell::cli
