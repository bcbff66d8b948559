// cromwell _child REQUEST (internal): a child process that carries out one serialized request
// (core/request.hpp, run/child.hpp) and answers on stdout; `_child -` serves a request per line of
// stdin.
#include <cstdio>
#include <memory>

#include "harness/cli/command.hpp"
#include "harness/run/child.hpp"

namespace cromwell::cli {

Command child_command() {
  return {kChildCommand, "a child process's task (internal)",
          [](CLI::App& app) -> Action {
            auto request = std::make_shared<std::string>();
            app.add_option("request", *request, "the serialized request, or - to serve those of stdin")->required();
            return [request](const Invocation&) {
              return *request == "-" ? serve_worker(stdin, stdout) : serve_child(decode_request(*request), stdout);
            };
          },
          /*hidden=*/true};
}

}  // namespace cromwell::cli
