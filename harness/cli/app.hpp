#pragma once
// The `cromwell` program: the commands of commands.cpp under one CLI11 application.
namespace cromwell {

int main(int argc, char** argv);

}  // namespace cromwell
