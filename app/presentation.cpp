// presentation-time with honest flags.  wlroots' own helper copies the
// output's flags, whose ZERO_COPY means "scanned out directly".  In zcdisplay
// ZERO_COPY means what the product measures: both hops of the shown pixels
// were zero-copy -- the buffer was imported without a copy (dmabuf_zero_copy
// or shm_host_import, per the renderer's ImportRecord) and the frame reached
// the display without one (composed_zero_copy), or the buffer itself was
// scanned out.  output.cpp resolves that per surface; it is applied here.
#include "app/server.hpp"
#include "common/timeline.hpp"

namespace zcd::app {

void present_in_flight(Output& out, const wlr_output_event_present& event) {
    Server& server = *out.server;
    // Only our frames count: wlroots commits a buffer of its own when it
    // enables an output, and that commit's present is no frame of ours.
    if (!out.frame_in_flight)
        return;
    out.frame_in_flight = false;
    server.accounting.on_output_present(out.account_index, event.presented, &out.hop);
    // Swap with a member vector, not a local one: both keep their capacity,
    // so no frame allocates for this list after warm-up.
    std::vector<SampledSurface>& sampled = out.presenting;
    sampled.swap(out.in_flight);
    std::vector<TimelineRecorder::Shown> shown;
    for (SampledSurface& s : sampled) {
        if (event.presented && s.first_show)
            server.accounting.on_buffer_presented(s.client_id, out.account_index,
                                                  s.record ? &*s.record : nullptr);
        if (s.first_show && s.timeline_commit) {
            // The flags the client was (or would have been) told.
            uint32_t flags = event.flags & ~static_cast<uint32_t>(kPresentZeroCopy);
            shown.push_back({s.timeline_commit, flags | (s.zero_copy ? kPresentZeroCopy : 0u)});
        }
        if (!s.feedback)
            continue;
        if (event.presented) {
            wlr_presentation_event pe{};
            wlr_presentation_event_from_output(&pe, &event);
            pe.flags &= ~static_cast<uint32_t>(kPresentZeroCopy);
            if (s.zero_copy)
                pe.flags |= kPresentZeroCopy;
            wlr_presentation_feedback_send_presented(s.feedback, &pe);
        }
        // Destroying a feedback that was not presented sends "discarded".
        wlr_presentation_feedback_destroy(s.feedback);
    }
    sampled.clear();
    if (server.timeline && out.timeline_frame) {
        int64_t when =
            event.when ? int64_t{event.when->tv_sec} * 1000000000 + event.when->tv_nsec : now_ns();
        uint32_t frame_flags = event.flags & ~static_cast<uint32_t>(kPresentZeroCopy);
        // Headless reports no refresh with its present events; the mode's
        // period is the one the frame was paced with.
        int64_t refresh_ns = event.refresh;
        if (refresh_ns == 0 && out.output->refresh > 0)
            refresh_ns = int64_t{1000000000000} / out.output->refresh;
        server.timeline->frame_presented(out.timeline_frame, event.presented, when, frame_flags,
                                         refresh_ns, event.seq, shown);
        out.timeline_frame = 0;
    }
    if (event.presented && out.account_index == 0 && server.options.frames != 0 &&
        server.accounting.outputs()[0].frames_presented >= server.options.frames)
        stop_server(server, server.exit_code);
}

void discard_in_flight(Output& out) {
    for (SampledSurface& s : out.in_flight)
        if (s.feedback)
            wlr_presentation_feedback_destroy(s.feedback);
    out.in_flight.clear();
}

} // namespace zcd::app
