#include "app/dev_broker_command.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "app/arg_parser.h"
#include "app/dev_broker.h"
#include "common/status_macros.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Runs a Kafka broker on localhost (librdkafka's mock cluster, in memory) with vacwatch's\n"
    "default topics: pg.logs and pg.stats (co-partitioned), vacwatch.alerts, vacwatch.dlq.\n"
    "Prints the bootstrap address, then serves until SIGINT or SIGTERM. kcat and\n"
    "`vacwatch run` both work against it:\n"
    "  vacwatch dev-broker --bootstrap-file /tmp/broker &\n"
    "  kcat -b $(cat /tmp/broker) -L";

}  // namespace

absl::Status RunDevBrokerCommand(const std::vector<std::string>& args, CommandIo& io) {
  std::string partitions_text = "4";
  std::string bootstrap_file;
  ArgParser parser("dev-broker", kDescription);
  parser.AddString("partitions", "N", "partitions of pg.logs and pg.stats (default: 4)",
                   &partitions_text);
  parser.AddString("bootstrap-file", "FILE",
                   "also write the bootstrap address here (scripts wait for this file)",
                   &bootstrap_file);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }
  DevBrokerOptions options;
  if (!absl::SimpleAtoi(partitions_text, &options.partitions) || options.partitions < 1 ||
      options.partitions > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("--partitions '", partitions_text, "': expected a number from 1 to 1024"));
  }
  // Blocked before librdkafka starts its threads (they inherit the mask), so the signals come
  // to sigwait below and nowhere else.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  VW_ASSIGN_OR_RETURN(std::unique_ptr<DevBroker> broker, DevBroker::Start(options));
  std::fprintf(io.out, "%s\n", broker->bootstrap().c_str());
  std::fflush(io.out);
  if (!bootstrap_file.empty()) {
    // Written whole under another name, then renamed: a script polling for the file never
    // reads half an address.
    const std::string tmp = bootstrap_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << broker->bootstrap() << "\n";
      if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
    if (std::rename(tmp.c_str(), bootstrap_file.c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot write ", bootstrap_file));
    }
  }
  std::fprintf(io.err,
               "vacwatch dev-broker: serving on %s (topics pg.logs, pg.stats with %d "
               "partitions, vacwatch.alerts, vacwatch.dlq); SIGINT or SIGTERM stops it\n",
               broker->bootstrap().c_str(), options.partitions);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  std::fprintf(io.err, "vacwatch dev-broker: stopping (signal %d)\n", signal_number);
  return absl::OkStatus();
}

}  // namespace vacwatch::app
