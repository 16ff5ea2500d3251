// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the facts read from an excerpt's lines (frames, faulting function and
// module, taint, "Modules linked in").

#include "kernellog/oopsexcerpt.h"

#include <QByteArrayView>

#include <vector>

namespace kmr::kernellog::detail {

// A frame line: "[<ffff...>] ? func+0x1a/0x30 [mod]" with or without the address and "? ".
bool parseFrame(QByteArrayView text, OopsFrame *out);

// Fills faultingFunction/Module, taint, modulesLinkedIn and frames from the excerpt's lines
// (texts: the messages, prefix removed, in the same order as e.lines).
// titleFrame: the frame the title names ("kmr_exithang_exit"), used when no faulting IP was printed.
// frameNames false: the frames' function names are left empty (a listing that prints only the
// faulting function and the modules spares converting them).
void fillDetails(
    OopsExcerpt &e, const std::vector<QByteArrayView> &texts, const QString &titleFrame, bool frameNames = true);

} // namespace kmr::kernellog::detail
