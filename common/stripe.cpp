#include "common/stripe.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace zcd {

namespace {

// Sync cells, white = 1.  The leading black cell may merge with a black
// background left of the frame, so only the six runs after it are measured.
constexpr std::array<uint8_t, kStripeSyncCells> kSync = {0, 1, 0, 1, 0, 1, 1, 0, 0, 1};
constexpr std::array<uint8_t, kStripeEndCells> kEnd = {1, 0, 1};
constexpr uint32_t kWhite = 0x00ffffff;
constexpr uint32_t kBlack = 0x00000000;
constexpr uint32_t kDataBytes = 6; // seq (4), flags (1), crc (1)

// BT.709 luma, 8-bit fixed point.
inline uint32_t luma(uint32_t px) {
    uint32_t r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;
    return (r * 54 + g * 183 + b * 19) >> 8;
}
inline bool is_white(uint32_t px) {
    return luma(px) >= 128;
}

std::array<uint8_t, kStripeCells> stripe_cells(uint32_t seq, bool bottom_copy) {
    std::array<uint8_t, kDataBytes> bytes = {
        uint8_t(seq >> 24),
        uint8_t(seq >> 16),
        uint8_t(seq >> 8),
        uint8_t(seq),
        uint8_t((kStripeLayoutVersion << 1) | (bottom_copy ? 1 : 0)),
        0};
    bytes[5] = stripe_crc8(bytes.data(), 5);
    std::array<uint8_t, kStripeCells> cells{};
    uint32_t i = 0;
    for (uint8_t c : kSync)
        cells[i++] = c;
    for (uint8_t byte : bytes)
        for (int bit = 7; bit >= 0; --bit)
            cells[i++] = (byte >> bit) & 1;
    for (uint8_t c : kEnd)
        cells[i++] = c;
    return cells;
}

void draw_band(MutableImageView f, uint32_t y0, uint32_t cell, uint32_t seq, bool bottom) {
    auto cells = stripe_cells(seq, bottom);
    for (uint32_t y = y0; y < y0 + kStripeBandCells * cell; ++y) {
        uint32_t* row = f.pixels + size_t(y) * f.stride_px;
        for (uint32_t x = 0; x < f.width; ++x) {
            uint32_t i = x / cell;
            row[x] = (i < kStripeCells && cells[i]) ? kWhite : kBlack;
        }
    }
}

struct Run {
    uint32_t start, len;
    bool white;
};

// One sighting of the sync pattern in one row.
struct RowReading {
    double x0 = 0, cell = 0;
    bool crc_ok = false;
    bool bottom = false;
    uint32_t seq = 0;
};

// Mean luma of the middle half of a cell decides its bit, which tolerates
// small colour error and a blurred edge.
bool sample_cell(const uint32_t* row, uint32_t width, double x0, double cell, uint32_t i) {
    double a = x0 + (i + 0.25) * cell, b = x0 + (i + 0.75) * cell;
    auto xa = std::min(uint32_t(std::floor(a)), width - 1);
    auto xb = std::min(uint32_t(std::ceil(b)), width);
    if (xb <= xa)
        xb = xa + 1;
    uint32_t sum = 0;
    for (uint32_t x = xa; x < xb; ++x)
        sum += luma(row[x]);
    return sum >= 128 * (xb - xa);
}

bool close_to(uint32_t len, double want, double tol) {
    return std::fabs(len - want) <= tol;
}

std::optional<RowReading> read_at(const uint32_t* row, uint32_t width, const std::vector<Run>& runs,
                                  size_t k) {
    // runs[k-1] is the leading black cell (maybe merged), runs[k..k+5] are
    // W1 B1 W1 B1 W2 B2.
    if (k == 0 || k + 5 >= runs.size() || !runs[k].white || runs[k - 1].white)
        return std::nullopt;
    double u = runs[k].len;
    double tol = std::floor(u / 4);
    static constexpr double kUnits[6] = {1, 1, 1, 1, 2, 2};
    uint32_t total = 0;
    for (int j = 0; j < 6; ++j) {
        if (!close_to(runs[k + j].len, kUnits[j] * u, tol * kUnits[j]))
            return std::nullopt;
        total += runs[k + j].len;
    }
    u = total / 8.0;
    if (runs[k - 1].len + tol < u)
        return std::nullopt;
    double x0 = runs[k].start - u;
    if (x0 < 0 || x0 + kStripeCells * u > width + 0.5)
        return std::nullopt;
    for (uint32_t i = 0; i < kStripeEndCells; ++i)
        if (sample_cell(row, width, x0, u, kStripeSyncCells + kStripeDataCells + i) !=
            (kEnd[i] != 0))
            return std::nullopt;
    std::array<uint8_t, kDataBytes> bytes{};
    for (uint32_t i = 0; i < kStripeDataCells; ++i)
        if (sample_cell(row, width, x0, u, kStripeSyncCells + i))
            bytes[i / 8] |= uint8_t(0x80 >> (i % 8));
    RowReading r;
    r.x0 = x0;
    r.cell = u;
    r.crc_ok = stripe_crc8(bytes.data(), 5) == bytes[5] && (bytes[4] >> 1) == kStripeLayoutVersion;
    r.bottom = bytes[4] & 1;
    r.seq =
        uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
    return r;
}

void read_row(const uint32_t* row, uint32_t width, std::vector<Run>& runs,
              std::vector<RowReading>& out) {
    runs.clear();
    for (uint32_t x = 0; x < width; ++x) {
        bool w = is_white(row[x]);
        if (runs.empty() || runs.back().white != w)
            runs.push_back({x, 1, w});
        else
            ++runs.back().len;
    }
    for (size_t k = 1; k + 5 < runs.size(); ++k)
        if (auto r = read_at(row, width, runs, k)) {
            out.push_back(*r);
            k += 5;
        }
}

struct OpenBand {
    StripeBand band;
    uint32_t last_row;
    bool have_seq = false;
};

bool same_place(const StripeBand& b, const RowReading& r) {
    return std::fabs(b.x - r.x0) <= 1.0 && std::fabs(b.cell_px - r.cell) < 0.5;
}

} // namespace

uint8_t stripe_crc8(const uint8_t* data, size_t len) {
    uint8_t crc = 0xff;
    for (size_t i = 0; i < len; ++i) {
        crc ^= data[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc & 0x80) ? uint8_t((crc << 1) ^ 0x07) : uint8_t(crc << 1);
    }
    return crc;
}

uint32_t stripe_cell_px(uint32_t frame_width) {
    for (uint32_t c = kStripeMaxCellPx; c >= 1; --c)
        if ((kStripeCells + 3) * c <= frame_width)
            return c;
    return 0;
}

bool draw_stripe(MutableImageView frame, uint32_t seq) {
    uint32_t cell = stripe_cell_px(frame.width);
    if (cell == 0 || frame.height < kStripeBandCells * cell)
        return false;
    draw_band(frame, 0, cell, seq, false);
    // A gap of at least one cell of picture keeps the two bands apart.
    if (frame.height >= (2 * kStripeBandCells + 1) * cell)
        draw_band(frame, frame.height - kStripeBandCells * cell, cell, seq, true);
    return true;
}

std::string_view to_string(StripeStatus s) {
    switch (s) {
    case StripeStatus::NoStripe:
        return "no_stripe";
    case StripeStatus::Valid:
        return "valid";
    case StripeStatus::Corrupt:
        return "corrupt";
    case StripeStatus::Torn:
        return "torn";
    }
    return "unknown";
}

std::vector<StripeBand> find_stripe_bands(ImageView image) {
    std::vector<StripeBand> done;
    std::vector<OpenBand> open;
    std::vector<Run> runs;
    std::vector<RowReading> readings;
    auto close_stale = [&](uint32_t y) {
        for (auto it = open.begin(); it != open.end();) {
            if (it->last_row + 1 < y) {
                done.push_back(it->band);
                it = open.erase(it);
            } else {
                ++it;
            }
        }
    };
    for (uint32_t y = 0; y < image.height; ++y) {
        close_stale(y);
        readings.clear();
        read_row(image.pixels + size_t(y) * image.stride_px, image.width, runs, readings);
        for (const RowReading& r : readings) {
            OpenBand* ob = nullptr;
            for (auto& o : open)
                if (o.last_row + 1 == y && same_place(o.band, r) &&
                    !(r.crc_ok && o.have_seq && o.band.bottom_copy != r.bottom)) {
                    ob = &o;
                    break;
                }
            if (!ob) {
                OpenBand n;
                n.band.x = uint32_t(std::lround(r.x0));
                n.band.y = y;
                n.band.cell_px = r.cell;
                open.push_back(n);
                ob = &open.back();
            }
            ob->last_row = y;
            ++ob->band.rows;
            if (r.crc_ok) {
                if (!ob->have_seq) {
                    ob->have_seq = true;
                    ob->band.valid = true;
                    ob->band.seq = r.seq;
                    ob->band.bottom_copy = r.bottom;
                } else if (r.seq != ob->band.seq && !ob->band.torn) {
                    ob->band.torn = true;
                    ob->band.seq_other = r.seq;
                }
            }
        }
    }
    for (auto& o : open)
        done.push_back(o.band);
    std::stable_sort(done.begin(), done.end(), [](const StripeBand& a, const StripeBand& b) {
        return a.y != b.y ? a.y < b.y : a.x < b.x;
    });
    return done;
}

FrameIdentity decode_frame_identity(ImageView image) {
    FrameIdentity id;
    auto bands = find_stripe_bands(image);
    if (bands.empty())
        return id;
    // The top copy; a capture cropped above it leaves only a bottom copy.
    auto top = std::find_if(bands.begin(), bands.end(),
                            [](const StripeBand& b) { return b.valid && !b.bottom_copy; });
    if (top == bands.end())
        top = std::find_if(bands.begin(), bands.end(), [](const StripeBand& b) { return b.valid; });
    if (top == bands.end()) {
        id.status = StripeStatus::Corrupt;
        id.x = bands.front().x;
        id.y = bands.front().y;
        id.cell_px = bands.front().cell_px;
        return id;
    }
    id.x = top->x;
    id.y = top->y;
    id.cell_px = top->cell_px;
    id.seq = top->seq;
    if (top->torn) {
        id.status = StripeStatus::Torn;
        id.seq_other = top->seq_other;
        return id;
    }
    id.status = StripeStatus::Valid;
    if (top->bottom_copy)
        return id;
    for (auto b = top + 1; b != bands.end(); ++b) {
        if (b->y <= top->y || std::abs(int64_t(b->x) - int64_t(top->x)) > 1 ||
            std::fabs(b->cell_px - top->cell_px) >= 0.5)
            continue;
        if (b->valid && !b->bottom_copy)
            break; // the next frame's top band (frames stacked vertically)
        id.has_bottom_copy = true;
        if (!b->valid) {
            id.status = StripeStatus::Corrupt;
        } else if (b->torn || b->seq != top->seq) {
            id.status = StripeStatus::Torn;
            id.seq_other = b->seq != top->seq ? b->seq : b->seq_other;
        }
        break;
    }
    return id;
}

} // namespace zcd
