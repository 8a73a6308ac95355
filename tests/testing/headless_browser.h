#ifndef VACWATCH_TESTS_TESTING_HEADLESS_BROWSER_H_
#define VACWATCH_TESTS_TESTING_HEADLESS_BROWSER_H_

// A real browser on a local file: Debian's `chromium` (scripts/setup installs it), headless,
// with its own profile in `work_dir` (removed by the caller's temp dir), its background
// services off and every host name unresolvable, and a net log of every request it made:
//
//   BrowserRun run = OpenInBrowser(dir.path() + "/report.html", dir.path(), /*screenshot=*/"");
//   EXPECT_EQ(run.error, "");
//   EXPECT_THAT(run.page_requests, IsEmpty());   // nothing loaded from outside the file
//   EXPECT_THAT(run.dom, HasSubstr("chart-dead"));
//
// `page_requests` are the URLs the page itself asked for (requests whose network isolation
// key is the file:// page; the browser's own update and account pings are not the page's).
// The run is bounded by `timeout` (coreutils) at 120 s; waiting is on the process, never a
// fixed sleep.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vacwatch::testing {

struct BrowserRun {
  std::string error;  // empty when the browser ran and wrote what was asked
  std::string dom;    // the DOM after load (--dump-dom)
  std::vector<std::string> page_requests;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool HaveChromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// Opens `html_path`; with `screenshot_path` also writes a PNG of the page there.
inline BrowserRun OpenInBrowser(const std::string& html_path, const std::string& work_dir,
                                const std::string& screenshot_path) {
  BrowserRun run;
  if (!HaveChromium()) {
    run.error = "chromium is not installed (scripts/setup installs it)";
    return run;
  }
  const std::string net_log = work_dir + "/netlog.json";
  const std::string dom_path = work_dir + "/dom.html";
  std::string flags =
      "--headless --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --disable-default-apps "
      "--disable-extensions --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir='" +
      work_dir + "/profile' --log-net-log='" + net_log + "'";
  std::string command = "timeout 120 chromium " + flags + " --dump-dom 'file://" + html_path +
                        "' >'" + dom_path + "' 2>'" + work_dir + "/browser.err'";
  if (std::system(command.c_str()) != 0) {
    run.error = "chromium --dump-dom failed: " + ReadWholeFile(work_dir + "/browser.err");
    return run;
  }
  run.dom = ReadWholeFile(dom_path);
  // One event per line; a page's request names the file:// page in its isolation key.
  std::istringstream log(ReadWholeFile(net_log));
  for (std::string line; std::getline(log, line);) {
    if (line.find("\"network_isolation_key\":\"file://") == std::string::npos) continue;
    const size_t at = line.find("\"url\":\"");
    if (at == std::string::npos) continue;
    const size_t end = line.find('"', at + 7);
    run.page_requests.push_back(line.substr(at + 7, end - at - 7));
  }
  if (!screenshot_path.empty()) {
    command = "timeout 120 chromium " + flags + " --window-size=1100,1600 --screenshot='" +
              screenshot_path + "' 'file://" + html_path + "' >/dev/null 2>'" + work_dir +
              "/browser.err'";
    if (std::system(command.c_str()) != 0) {
      run.error = "chromium --screenshot failed: " + ReadWholeFile(work_dir + "/browser.err");
    }
  }
  return run;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_HEADLESS_BROWSER_H_
