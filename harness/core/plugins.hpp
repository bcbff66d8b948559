#pragma once
// Variant libraries loaded at start-up: CROMWELL_PLUGINS is a ':'-separated list of shared
// libraries whose variants register themselves when loaded (the test-only variants use it; a user
// can keep private variants outside the tree the same way). Child processes inherit the variable.
namespace cromwell {

// Throws std::invalid_argument naming the library and the loader's message.
void load_plugins();

}  // namespace cromwell
