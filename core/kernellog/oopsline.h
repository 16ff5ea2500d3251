// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: how the OopsExtractor sees one line of a kernel log. Its users get the
// literal search (literalset.h) and the interned names (internednames.h) with it.

#include "kernellog/internednames.h"
#include "kernellog/literalset.h"

#include <QByteArrayView>

namespace kmr::kernellog::detail {

// Who printed a line. Lines without a "[ 1.234]" prefix have None; with a timestamp but no
// caller id, Console; with CONFIG_PRINTK_CALLER, Task ("T123") or Cpu ("C1") and the id.
struct LineContext {
    enum Kind { None, Console, Task, Cpu };
    Kind kind = None;
    QByteArrayView id;
    quint64 number = 0; // the digits of id, when there are at most 18 of them: compared without memcmp
    bool operator==(const LineContext &o) const
    {
        return kind == o.kind && number == o.number && id.size() == o.id.size() && (id.size() <= 19 || id == o.id);
    }
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

// mayHoldQuestionMark false: the caller knows raw holds no '?' (LineScan's question), which spares
// the look for a questionable frame's " ? ".
ParsedLine parseLine(QByteArrayView raw, bool mayHoldQuestionMark = true);

// The literals every line is checked for: the report headers (bit i = rules::groups()[i]),
// then these markers.
enum LineMarker {
    MarkDropped = 0, // "printk messages dropped"
    MarkLockDebugOff,
    MarkNmiBacktrace,
    MarkPanic,
    MarkCircularLocking,
    MarkInfoWithStack1,
    MarkInfoWithStack2,
    MarkInfoWithStack3,
    MarkCallTrace,
    MarkBacktrace,
    MarkCallTraceArm, // "Call trace"
    MarkCount
};
quint64 scanLine(QByteArrayView line);
// The literals scanLine() looks for: scanLine(line) is lineLiterals().find(line), and a
// LineScan(lineLiterals(), text) gives each line of a text with its scanLine().
const LiteralSet &lineLiterals();
quint64 headerMask();
quint64 markerBit(LineMarker m);
// The texts that start or interrupt a call trace in a title's stack walk (oopstitle.cpp). Every
// line is checked for them too, after the markers: a line whose scanLine() has none of these
// bits set holds none of them, and neither does any part of it.
inline constexpr const char *kStackLiterals[]
    = {"Call Trace", "Call trace", "Allocated:", "Freed:", "Backtrace:", "Uninit was stored to memory at",
        "Allocated by task ", "Freed by task ", " backtrace", "should_fail"};
quint64 stackLiteralMask();

// True when the line contains one of the report headers (no suppression applied).
bool mayHoldHeader(QByteArrayView line);

// "func" out of "  [<ffffffff8100>] func.isra.0+0x1a/0x30 [mod]" (syzkaller's frame pattern:
// optional spaces, up to two [<pc>], then the name up to '.' or '+'). Empty when not a frame.
QByteArrayView frameFunction(QByteArrayView text);
// Both names of an ARM backtrace line "[<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)";
// false when the line is not one.
bool armFrameFunctions(QByteArrayView text, QByteArrayView *callee, QByteArrayView *caller);

} // namespace kmr::kernellog::detail
