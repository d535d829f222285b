#include "app/accounting.hpp"

namespace zcd::app {

void PathTally::add(const ImportRecord& record) {
    paths[static_cast<size_t>(record.path)]++;
    reasons[static_cast<size_t>(record.reason)]++;
    bytes_copied += record.bytes_copied;
    bytes_zero_copy += record.bytes_zero_copy;
}

void PathTally::add_reattached(const ImportRecord& record) {
    paths[static_cast<size_t>(record.path)]++;
    reasons[static_cast<size_t>(record.reason)]++;
}

void ScanoutTally::add(const OutputHop& hop) {
    paths[static_cast<size_t>(hop.path)]++;
    if (hop.path == ScanoutPath::ComposedCopy)
        copy_reasons[static_cast<size_t>(hop.reason)]++;
    if (hop.path != ScanoutPath::DirectScanout)
        misses[static_cast<size_t>(hop.miss)]++;
    bytes_copied += hop.bytes_copied;
}

uint64_t ScanoutTally::frames() const {
    uint64_t n = 0;
    for (uint64_t p : paths)
        n += p;
    return n;
}

uint64_t PathTally::buffers() const {
    uint64_t n = unclassified;
    for (uint64_t p : paths)
        n += p;
    return n;
}

uint32_t Accounting::add_client(std::string name) {
    ClientAccount c;
    c.id = static_cast<uint32_t>(clients_.size() + 1);
    c.name = std::move(name);
    clients_.push_back(std::move(c));
    return clients_.back().id;
}

ClientAccount* Accounting::client(uint32_t id) {
    if (id == 0 || id > clients_.size())
        return nullptr;
    return &clients_[id - 1];
}

void Accounting::set_client_name(uint32_t id, std::string name) {
    if (ClientAccount* c = client(id))
        c->name = std::move(name);
}

void Accounting::set_client_disconnected(uint32_t id) {
    if (ClientAccount* c = client(id))
        c->connected = false;
}

size_t Accounting::add_output(std::string name, int32_t width, int32_t height,
                              int32_t refresh_mhz) {
    OutputAccount o;
    o.name = std::move(name);
    o.width = width;
    o.height = height;
    o.refresh_mhz = refresh_mhz;
    outputs_.push_back(std::move(o));
    return outputs_.size() - 1;
}

CommitClass Accounting::on_buffer_committed(uint32_t id, const ImportRecord* record,
                                            uint64_t* last_generation) {
    ClientAccount* c = client(id);
    if (!c)
        return CommitClass::Unclassified;
    c->buffers_committed++;
    if (!record) {
        c->tally.unclassified++;
        return CommitClass::Unclassified;
    }
    // Generations start at 1; an unchanged generation means the renderer did
    // not import anything for this commit: the client attached a buffer
    // whose import (or in-place update) was already counted -- e.g. the same
    // wl_buffer again with no damage.  It is still a commit shown on screen,
    // under the path that buffer took, but with no new bytes.
    if (record->generation == *last_generation) {
        c->reattached_buffers++;
        c->tally.add_reattached(*record);
        return CommitClass::Reattached;
    }
    *last_generation = record->generation;
    c->tally.add(*record);
    return CommitClass::Fresh;
}

void Accounting::on_output_present(size_t output, bool presented, const OutputHop* hop) {
    if (output >= outputs_.size())
        return;
    if (presented) {
        outputs_[output].frames_presented++;
        outputs_[output].scanout.add(hop ? *hop : OutputHop{});
    } else {
        outputs_[output].frames_discarded++;
    }
}

void Accounting::on_buffer_presented(uint32_t id, size_t output, const ImportRecord* record) {
    if (ClientAccount* c = client(id))
        c->frames++;
    if (output >= outputs_.size())
        return;
    OutputAccount& o = outputs_[output];
    o.buffers_shown++;
    if (record)
        o.tally.add(*record);
    else
        o.tally.unclassified++;
}

PathTally Accounting::total() const {
    PathTally t;
    for (const ClientAccount& c : clients_) {
        for (size_t i = 0; i < t.paths.size(); ++i)
            t.paths[i] += c.tally.paths[i];
        for (size_t i = 0; i < t.reasons.size(); ++i)
            t.reasons[i] += c.tally.reasons[i];
        t.bytes_copied += c.tally.bytes_copied;
        t.bytes_zero_copy += c.tally.bytes_zero_copy;
        t.unclassified += c.tally.unclassified;
    }
    return t;
}

uint64_t Accounting::buffers_committed() const {
    uint64_t n = 0;
    for (const ClientAccount& c : clients_)
        n += c.buffers_committed;
    return n;
}

uint64_t Accounting::reattached_buffers() const {
    uint64_t n = 0;
    for (const ClientAccount& c : clients_)
        n += c.reattached_buffers;
    return n;
}

ScanoutTally Accounting::scanout_total() const {
    ScanoutTally t;
    for (const OutputAccount& o : outputs_) {
        for (size_t i = 0; i < t.paths.size(); ++i)
            t.paths[i] += o.scanout.paths[i];
        for (size_t i = 0; i < t.copy_reasons.size(); ++i)
            t.copy_reasons[i] += o.scanout.copy_reasons[i];
        for (size_t i = 0; i < t.misses.size(); ++i)
            t.misses[i] += o.scanout.misses[i];
        t.bytes_copied += o.scanout.bytes_copied;
    }
    return t;
}

uint64_t Accounting::frames_presented() const {
    uint64_t n = 0;
    for (const OutputAccount& o : outputs_)
        n += o.frames_presented;
    return n;
}

uint64_t Accounting::frames_discarded() const {
    uint64_t n = 0;
    for (const OutputAccount& o : outputs_)
        n += o.frames_discarded;
    return n;
}

} // namespace zcd::app
