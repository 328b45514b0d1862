// Mount table reading (/proc/<pid>/mountinfo → plain structs, decoded purely) and the few mount
// operations the lab needs beyond netns files: private self-bind directories, nsfs bind mounts,
// and unmounting everything at or below a path.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::lab {

/// One line of /proc/<pid>/mountinfo (see proc(5)); octal escapes (\040) decoded.
struct MountEntry {
  int id = 0;
  int parent = 0;
  std::string root;          ///< path of the mount's root within its filesystem
  std::string mount_point;   ///< where it is mounted, in the reader's view
  std::string options;       ///< per-mount options: "rw,relatime"
  std::vector<std::string> optional;  ///< "shared:1", "master:2", …
  std::string fstype;
  std::string source;
  std::string super_options; ///< for overlay: "rw,lowerdir=/etc,upperdir=…,workdir=…"
};

/// Parses mountinfo text; malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);
/// Reads and parses /proc/<pid>/mountinfo (pid 0 = self).
Result<std::vector<MountEntry>> read_mountinfo(pid_t pid = 0);

/// True if path is dir or below it (lexically).
bool path_within(const std::filesystem::path& path, const std::filesystem::path& dir);

/// Makes dir a mount point of its own with private propagation (bind onto itself, once), so nsfs
/// files bound under it never propagate into other mount namespaces.
Result<void> make_private_mount_point(const std::filesystem::path& dir);
/// Bind-mounts the namespace file src (e.g. /proc/123/ns/mnt) onto a new empty file at dst.
Result<void> bind_ns_file(const std::string& src, const std::filesystem::path& dst);
/// Unmounts (lazily, deepest first) every mount at or below dir in this mount namespace; returns
/// how many were unmounted.
Result<int> unmount_below(const std::filesystem::path& dir);

}  // namespace sw::lab
