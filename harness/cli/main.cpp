// cromwell::main — main() for the cromwell binary and for projects that link cromwell::main.
#include "harness/cli/app.hpp"

int main(int argc, char** argv) { return cromwell::main(argc, argv); }
