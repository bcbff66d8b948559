#pragma once
// The command line of `cromwell`. A project that registers its own kernels links cromwell::main
// (which calls this) and gets every subcommand for them.
namespace cromwell {
int main(int argc, char** argv);
}
