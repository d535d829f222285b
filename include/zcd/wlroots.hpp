// The one door to wlroots 0.15 from C++.  Nothing else in zcdisplay includes
// <wlr/...> directly.
//
// wlroots 0.15's headers are C, and a few are not valid C++: array parameters
// declared `[static N]` (render/interface.h, wlr_renderer.h, wlr_matrix.h,
// wlr_compositor.h, wlr_scene.h, ...) and struct members named `class`,
// `namespace` and `delete`.  extern "C" and -fpermissive do not help.  What
// does: include every system header those headers use first (so their own
// declarations are parsed normally), then define the four words away for the
// duration of the wlr includes only.  That is safe because no wlr header
// declares a static function or variable, and the renamed members are never
// touched by zcdisplay under their C names.
#pragma once

#include <drm_fourcc.h>
#include <errno.h>
#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <xkbcommon/xkbcommon.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

// Declared before the keyword trick so that `static` keeps its meaning here.
#include <libinput.h>

extern "C" {
#define static
#define class class_
#define namespace namespace_
#define delete delete_
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/interface.h>
#include <wlr/backend/multi.h>
#include <wlr/backend/session.h>
#include <wlr/backend/wayland.h>
#include <wlr/backend/x11.h>
#include <wlr/backend/drm.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/render/allocator.h>
#include <wlr/render/dmabuf.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/interface.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_linux_dmabuf_v1.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>
#undef delete
#undef namespace
#undef class
#undef static
}
