#include "ovs/shim_call.h"

#include "common/log.h"
#include "ovs_shim.h"

namespace sw::ovs::detail {

void sync_ovs_log_level() {
  switch (sw::log::level()) {
    case sw::log::Level::debug: sw_ovs_set_log_level(0); break;
    case sw::log::Level::info: sw_ovs_set_log_level(1); break;
    case sw::log::Level::warn: sw_ovs_set_log_level(2); break;
    case sw::log::Level::error: sw_ovs_set_log_level(3); break;
  }
}

}  // namespace sw::ovs::detail
