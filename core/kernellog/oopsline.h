// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: how the OopsExtractor sees one line of a kernel log.

#include <QByteArrayView>

namespace kmr::kernellog::detail {

// Who printed a line. Lines without a "[ 1.234]" prefix have None; with a timestamp but no
// caller id, Console; with CONFIG_PRINTK_CALLER, Task ("T123") or Cpu ("C1") and the id.
struct LineContext {
    enum Kind { None, Console, Task, Cpu };
    Kind kind = None;
    QByteArrayView id;
    bool operator==(const LineContext &o) const { return kind == o.kind && id == o.id; }
    bool operator!=(const LineContext &o) const { return !(*this == o); }
    bool hasCaller() const { return kind == Task || kind == Cpu; }
};

struct ParsedLine {
    QByteArrayView raw; // without "\r"
    QByteArrayView message; // the message: prefix removed
    QByteArrayView text; // the message with the "? " of a questionable frame removed
    LineContext context;
    bool questionable = false; // " ? func+0x..": a stale address found on the stack
};

ParsedLine parseLine(QByteArrayView raw);

// True when the line may contain one of the report headers: a cheap filter run on every line
// before anything costlier. Never false for a line that holds a header.
bool mayHoldHeader(QByteArrayView line);

// "func" out of "  [<ffffffff8100>] func.isra.0+0x1a/0x30 [mod]" (syzkaller's frame pattern:
// optional spaces, up to two [<pc>], then the name up to '.' or '+'). Empty when not a frame.
QByteArrayView frameFunction(QByteArrayView text);
// Both names of an ARM backtrace line "[<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)";
// false when the line is not one.
bool armFrameFunctions(QByteArrayView text, QByteArrayView *callee, QByteArrayView *caller);

} // namespace kmr::kernellog::detail
