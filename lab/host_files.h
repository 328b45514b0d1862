// A lab host's own files, written into its overlay upper dirs before the overlays are mounted (after
// that, only the host writes there): /etc/hostname, /etc/hosts, /etc/ssh (sshd_config, host key),
// /etc/openvswitch (fresh conf.db, system-id.conf), /var/log/openvswitch, /root/.ssh.
//
// Directories created in an upper dir take the mode and owner of the machine's directory they shadow,
// because an overlay directory shows its upper dir's attributes (sshd's StrictModes checks /root).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.h"
#include "lab/host_ns.h"
#include "lab/layout.h"

namespace sw::lab {

/// The machine directories each host sees through its own overlay.
inline constexpr std::string_view kOverlaidDirs[] = {"/etc", "/var", "/root"};

/// The overlay views of a host (upper/work under <state>/hosts/<host>/<dir>/).
std::vector<OverlayView> host_overlays(const LabLayout& layout, std::string_view host);

/// Creates upper and work dirs of every view (upper root mirroring the lower dir's mode and owner).
Result<void> make_overlay_dirs(const std::vector<OverlayView>& views);

/// The path inside a view's upper dir that the host will see at `host_path` (e.g. "/etc/ssh"),
/// creating the directories on the way with the lower dirs' attributes (or `mode` where the machine
/// has none).
Result<std::filesystem::path> upper_dir(const std::vector<OverlayView>& views, std::string_view host_path,
                                        mode_t mode = 0755);

/// Writes content to path with mode (owner root), replacing it.
Result<void> write_file(const std::filesystem::path& path, std::string_view content, mode_t mode);
/// Reads a whole (small) file.
Result<std::string> read_file(const std::filesystem::path& path);

/// /etc/hosts of a lab host: localhost lines and every lab host's name on its mgmt address.
std::string etc_hosts_text(const LabLayout& layout);

}  // namespace sw::lab
