// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: how the OopsExtractor sees one line of a kernel log. Its users get the
// literal search (literalset.h) and the interned names (internednames.h) with it.

#include "kernellog/internednames.h"
#include "kernellog/literalset.h"

#include <QByteArrayView>
#include <QtAlgorithms>

#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// The prefix printk writes, read at fixed columns: parseLine()'s fast path, inline (oopsline.cpp
// reads every other shape).
namespace lineprefix {
#ifdef __SSE2__
// Bit i: s[i] is a digit (digits) or a space (spaces), for the 32 bytes at s.
inline void classify32(const char *s, quint32 *digits, quint32 *spaces)
{
    quint32 d = 0, sp = 0;
    for (int half = 0; half < 2; ++half) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 16 * half));
        // c + 0x80 - '0' as a signed byte: the digits become the ten smallest values, -128 to -119.
        const __m128i digit
            = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(char(0x80 - '0'))), _mm_set1_epi8(char(-128 + 10)));
        d |= quint32(_mm_movemask_epi8(digit)) << (16 * half);
        sp |= quint32(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))) << (16 * half);
    }
    *digits = d;
    *spaces = sp;
}

constexpr qsizetype kUndecided = -2; // no printk prefix at fixed columns (maybe another shape)

constexpr quint32 bitRange(int from, int to) // bits from to to - 1
{
    return (~0u >> (32 - (to - from))) << from;
}

// Whether run (a mask's bits) is one run of set bits that ends at bit end - 1.
inline bool runEndsAt(quint32 run, int end)
{
    return run + (run & (0u - run)) == quint32(1) << end;
}

// The number written by the count (1 to 8) digits before end, with one 8-byte read: the bytes
// before the digits become leading zeros, and the digits' values are added up pairwise.
inline quint64 digitsBefore(const char *end, int count)
{
    quint64 x;
    std::memcpy(&x, end - 8, 8); // little-endian: the first of the 8 bytes in the lowest one
    x &= (~quint64(0) << (8 * (8 - count))) & 0x0f0f0f0f0f0f0f0full;
    x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffull;
    x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffull;
    return (x * 10000 + (x >> 32)) & 0xffffffffull;
}

// matchPrefix() for the prefixes printk writes, "[%5lu.%06lu]" and then " " or a caller id
// "[%6s] " (the seconds and the id right-aligned in their columns), tested at fixed columns with
// the masks of classify32(). kUndecided for any other shape: the run scan then decides. Where this
// one decides, the run scan would find the same runs (each run is checked to end where the
// column's next character, which is not its kind, stands).
Q_ALWAYS_INLINE qsizetype matchPrintkPrefix(
    QByteArrayView v, qsizetype p, quint32 digits, quint32 spaces, LineContext &ctx)
{
    const char *s = v.data() + p;
    constexpr quint32 seconds = bitRange(1, 6), fraction = bitRange(7, 13), caller = bitRange(15, 21);
    const quint32 secondDigits = digits & seconds;
    if (s[6] != '.' || s[13] != ']' || (digits & fraction) != fraction || !runEndsAt(secondDigits, 6)
        || ((secondDigits | spaces) & seconds) != seconds)
        return kUndecided;
    if (s[14] == ' ') {
        ctx = {LineContext::Console, {}};
        return p + 14;
    }
    const quint32 idDigits = digits & caller;
    if (s[14] != '[' || s[21] != ']' || s[22] != ' ' || !runEndsAt(idDigits, 21))
        return kUndecided;
    const int letter = int(qCountTrailingZeroBits(idDigits)) - 1; // 'T' or 'C' before the digits
    if (letter < 15 || (s[letter] != 'T' && s[letter] != 'C')
        || ((spaces | idDigits | quint32(1) << letter) & caller) != caller)
        return kUndecided;
    ctx = {s[letter] == 'T' ? LineContext::Task : LineContext::Cpu, v.sliced(p + letter, 21 - letter),
        digitsBefore(s + 21, 20 - letter)};
    return p + 22;
}

#endif
} // namespace lineprefix

// parseLine() out of line, for any line.
ParsedLine parseAnyLine(QByteArrayView raw, bool mayHoldQuestionMark);

// mayHoldQuestionMark false: the caller knows raw holds no '?' (LineScan's question), which spares
// the look for a questionable frame's " ? ".
inline ParsedLine parseLine(QByteArrayView raw, bool mayHoldQuestionMark = true)
{
#ifdef __SSE2__
    // The usual line of a log, inline where the extractor reads every line: printk's prefix, then a
    // message without '?' (no " ? " frame) that does not end with ')' (no " (unreliable)") and no
    // '\r'. parseAnyLine() gives it the same context, message and text, in more steps.
    if (!mayHoldQuestionMark && raw.size() >= 32 && raw[0] == '[' && raw.back() != ')' && raw.back() != '\r') {
        ParsedLine pl;
        quint32 digits, spaces;
        lineprefix::classify32(raw.data(), &digits, &spaces);
        const qsizetype after = lineprefix::matchPrintkPrefix(raw, 0, digits, spaces, pl.context);
        if (after >= 0) {
            pl.raw = raw;
            pl.message = raw.sliced(after + 1);
            pl.text = pl.message;
            return pl;
        }
    }
#endif
    return parseAnyLine(raw, mayHoldQuestionMark);
}

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
