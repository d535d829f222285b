// Fills the overlay's model (common/overlay_model.hpp) from the last second
// of the frame timeline and the run's path accounting.  Pure, unit-tested;
// the renderer only draws what this computes.
#pragma once

#include <string>

#include "app/accounting.hpp"
#include "common/kstat.hpp"
#include "common/overlay_model.hpp"
#include "common/timeline.hpp"

namespace zcd::app {

// `window` is the timeline of the last second (or so); `accounting` holds the
// run's totals.  Keeps model->overlay_cpu_ms/gpu_ms (set by the caller).
void fill_overlay_model(const Timeline& window, const Accounting& accounting,
                        const std::string& device, OverlayModel* model);

// The kernel's interconnect counters (docs/kernel-debugfs.md), summed over
// every interconnect the kernel lists, as one overlay row.
OverlayInterconnect overlay_interconnect(const InterconnectStats& stats, const std::string& source);

} // namespace zcd::app
