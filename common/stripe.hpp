// The frame-identity stripe: every frame zc-client draws carries its sequence
// number as a row of black/white cells along its top edge and a second copy
// along its bottom edge, so that any capture (PNG, screendump) tells which
// frame it shows and whether it shows two frames at once (tearing).
//
// Layout (docs/frame-identity.md is the reference; change both together):
// one band of kStripeCells square cells of `cell` pixels each, starting at the
// left edge of the frame, kStripeBandCells cells high, the rest of the band's
// rows black:
//
//   sync   B W B W B W W B B W        10 cells; the runs after the first black
//                                      cell (1,1,1,1,2,2 cells) give the cell
//                                      size at any scale; the last white cell
//                                      ends the 2-cell black run
//   data   32-bit sequence, big-endian; flags byte (bit 0: bottom copy,
//          bits 7..1: layout version 1); CRC-8 of those 5 bytes -- 48 cells,
//          most significant bit first, white = 1
//   end    W B W                       3 cells
//
// Decoding thresholds luma at mid-grey and needs neither the frame's position
// in the capture nor the scale: it searches every row for the sync runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace zcd {

inline constexpr uint32_t kStripeSyncCells = 10;
inline constexpr uint32_t kStripeDataCells = 48;
inline constexpr uint32_t kStripeEndCells = 3;
inline constexpr uint32_t kStripeCells = kStripeSyncCells + kStripeDataCells + kStripeEndCells;
inline constexpr uint32_t kStripeBandCells = 2; // band height in cells
inline constexpr uint32_t kStripeMaxCellPx = 8;
inline constexpr uint8_t kStripeLayoutVersion = 1;

// XRGB8888 pixels in memory order of DRM_FORMAT_XRGB8888 on little-endian:
// one uint32_t per pixel, 0x00RRGGBB.
struct ImageView {
    const uint32_t* pixels = nullptr;
    uint32_t width = 0, height = 0;
    uint32_t stride_px = 0; // pixels per row, >= width
};

struct MutableImageView {
    uint32_t* pixels = nullptr;
    uint32_t width = 0, height = 0;
    uint32_t stride_px = 0;
};

// CRC-8, polynomial 0x07, initial value 0xFF, no reflection, no final xor.
uint8_t stripe_crc8(const uint8_t* data, size_t len);

// The cell size the encoder uses for a frame of this width: the largest of
// 1..kStripeMaxCellPx that fits kStripeCells (+ 3 cells margin) across.
// 0 when the frame is too narrow to carry a stripe.
uint32_t stripe_cell_px(uint32_t frame_width);

// Draws both copies of the stripe for `seq` into the frame.  Returns false
// (and draws nothing) when the frame is too small; the bottom copy is left
// out when the frame is shorter than two bands.
bool draw_stripe(MutableImageView frame, uint32_t seq);

enum class StripeStatus : uint8_t {
    NoStripe, // no sync pattern anywhere
    Valid,    // check bits match; top and bottom copies (if present) agree
    Corrupt,  // sync found but the check bits do not match
    Torn,     // two valid readings of one frame disagree
};
std::string_view to_string(StripeStatus s);

// One band: consecutive rows in which the sync pattern was found at the same
// position and scale.
struct StripeBand {
    uint32_t x = 0, y = 0; // top-left of the band in the image
    uint32_t rows = 0;     // rows in which the sync was found
    double cell_px = 0;    // measured cell size (encoder cell * scale)
    bool valid = false;    // at least one row had matching check bits
    bool torn = false;     // valid rows decoded to different sequences
    bool bottom_copy = false;
    uint32_t seq = 0;       // first valid reading
    uint32_t seq_other = 0; // when torn: the other reading
};

// Every band in the image, top to bottom.
std::vector<StripeBand> find_stripe_bands(ImageView image);

struct FrameIdentity {
    StripeStatus status = StripeStatus::NoStripe;
    uint32_t seq = 0;       // Valid: the sequence; Torn: the top copy's
    uint32_t seq_other = 0; // Torn: the other reading (bottom copy or lower rows)
    bool has_bottom_copy = false;
    uint32_t x = 0, y = 0; // top-left of the top band
    double cell_px = 0;    // measured cell size in the image (encoder cell * scale)
};

// Identity of the first frame (topmost top band) in the image; its bottom copy
// is the first bottom band below it at the same x and cell size.
FrameIdentity decode_frame_identity(ImageView image);

} // namespace zcd
