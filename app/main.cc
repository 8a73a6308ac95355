// The `vacwatch` binary: dispatches to the subcommands in app/commands.h.
#include <cstdio>

int main(int argc, char** argv) {
  std::fprintf(stderr, "vacwatch: not built yet\n");
  return 2;
}
