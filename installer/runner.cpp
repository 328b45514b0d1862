#include "installer/runner.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace sw::installer {

bool PluginOutcome::ok() const {
  return std::all_of(hosts.begin(), hosts.end(), [](const HostOutcome& h) { return h.ok; });
}

int PluginOutcome::changed() const {
  int n = 0;
  for (const auto& h : hosts) n += h.changed;
  return n;
}

std::vector<std::string> PluginOutcome::failures() const {
  std::vector<std::string> out;
  for (const auto& h : hosts) {
    if (h.ok) continue;
    if (!h.error.empty())
      out.push_back(h.error.starts_with("host " + h.host + ":") ? h.error : "host " + h.host + ": " + h.error);
    else
      out.push_back("host " + h.host + ": step '" + h.failed_step + "' failed (exit " +
                    std::to_string(h.exit_status) + ")");
  }
  return out;
}

std::string last_lines(const std::string& text, size_t n) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  size_t pos = end;
  for (size_t seen = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++seen == n) break;
  }
  return text.substr(pos, end - pos);
}

namespace {

HostOutcome run_host(const std::string& plugin, const std::string& host,
                     const std::vector<const Manifest*>& manifests, ManifestExecutor& executor,
                     SetupLog& log) {
  HostOutcome out;
  out.host = host;
  const auto start = std::chrono::steady_clock::now();
  out.ok = true;
  for (const Manifest* m : manifests) {
    out.steps += static_cast<int>(m->steps.size());
    const std::string tag = host + " " + plugin;
    log.write(tag, "applying " + m->file_name());
    auto r = executor.execute(*m);
    if (!r) {
      out.ok = false;
      out.error = r.error().message();
      log.write(tag, "could not run " + m->file_name() + ": " + out.error);
      break;
    }
    log.write(tag, r->output);
    const ManifestOutcome parsed = parse_manifest_output(r->output, m->steps.size());
    out.changed += parsed.changed();
    if (r->exit_status != 0 || r->timed_out) {
      out.ok = false;
      out.exit_status = r->exit_status;
      const int idx = parsed.failed_index();
      if (idx > 0) {
        out.failed_step = m->steps[static_cast<size_t>(idx - 1)].title;
      } else {
        // Died between steps (timeout, killed): blame the first step that did not report.
        for (const auto& s : parsed.steps)
          if (s.state == StepOutcome::State::not_run) {
            out.failed_step = m->steps[static_cast<size_t>(s.index - 1)].title;
            break;
          }
      }
      if (r->timed_out) out.failed_step += " (timed out)";
      out.tail = last_lines(r->output, 12);
      log.write(tag, m->file_name() + " failed with exit status " + std::to_string(r->exit_status));
      break;
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace

PluginOutcome run_plugin(const std::string& plugin, const std::vector<Manifest>& manifests,
                         ManifestExecutor& executor, int jobs, SetupLog& log) {
  // Group by host, keeping first-appearance order for hosts and manifest order within a host.
  std::vector<std::pair<std::string, std::vector<const Manifest*>>> groups;
  for (const auto& m : manifests) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == m.host; });
    if (it == groups.end()) groups.push_back({m.host, {&m}});
    else it->second.push_back(&m);
  }
  PluginOutcome result;
  result.plugin = plugin;
  result.hosts.resize(groups.size());
  std::atomic<size_t> next{0};
  // The first host to fail makes the others that are still running stop waiting on each other.
  std::mutex mu;
  std::vector<char> running(groups.size(), 0);
  bool interrupted = false;
  auto worker = [&] {
    for (size_t i = next++; i < groups.size(); i = next++) {
      {
        std::lock_guard lock(mu);
        running[i] = 1;
      }
      HostOutcome h = run_host(plugin, groups[i].first, groups[i].second, executor, log);
      std::vector<size_t> others;
      {
        std::lock_guard lock(mu);
        running[i] = 0;
        if (!h.ok && !interrupted) {
          interrupted = true;
          for (size_t j = 0; j < groups.size(); ++j)
            if (running[j]) others.push_back(j);
        }
      }
      const std::string reason = others.empty() ? std::string()
                                                : "host " + groups[i].first + " failed in plugin " + plugin +
                                                      (h.failed_step.empty() ? std::string() : " (" + h.failed_step + ")");
      for (size_t j : others) {
        log.write(plugin, groups[j].first + ": asked to stop waiting: " + reason);
        executor.interrupt_waits(groups[j].first, reason);
      }
      result.hosts[i] = std::move(h);
    }
  };
  const size_t n_threads = std::min(groups.size(), static_cast<size_t>(std::max(jobs, 1)));
  std::vector<std::jthread> threads;
  for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(worker);
  if (n_threads > 0) worker();
  threads.clear();  // joins
  return result;
}

}  // namespace sw::installer
