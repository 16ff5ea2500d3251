// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: how the OopsExtractor sees one line of a kernel log.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QVarLengthArray>

#include <array>
#include <cstring>
#include <vector>

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

ParsedLine parseLine(QByteArrayView raw);

// Finds which of up to 64 literals (each at least 4 bytes) occur in a line, in one pass. This is
// the extractor's hot path: every line of a log goes through it once, and nothing costlier runs on
// lines without a hit. On x86-64 with AVX2, a filter looks at 32 positions at a time (the first
// four bytes of the literals, split into 8 buckets, as nibble tables: Hyperscan's "Teddy"); other
// machines slide a 4-byte hash filter over the line. A position that passes is verified with
// memcmp, so both give the same bits.
class LiteralSet
{
public:
    explicit LiteralSet(const QList<QByteArray> &literals);
    quint64 find(QByteArrayView line) const; // bit i: literal i occurs
    quint64 findPortable(QByteArrayView line) const; // the same, always with the hash filter
    static bool hasSimdFilter(); // whether find() uses the AVX2 filter on this machine
    int size() const { return m_count; }

private:
    // One distinct literal: its first four bytes, its bits (more than one when it was given twice).
    struct Entry {
        quint32 prefix;
        quint64 bits;
        QByteArray text;
    };
    static constexpr int kBuckets = 8;
    static quint32 hash(quint32 w) { return (w * 2654435761u) >> 16; }
    // False when no literal starts with the four bytes w (true: maybe one does).
    bool mayStart(quint32 w) const
    {
        const quint32 h = hash(w);
        return m_bits[h >> 6] & (quint64(1) << (h & 63));
    }
    qsizetype searchStart(QByteArrayView line) const;
    quint64 verify(QByteArrayView line, qsizetype at, unsigned buckets) const;
    quint64 m_bits[1024] = {}; // the hash filter
    // Teddy's tables: byte k of a literal's prefix sets its bucket's bit in m_nibbles[2k][low
    // nibble] and m_nibbles[2k + 1][high nibble].
    quint8 m_nibbles[8][16] = {};
    std::vector<Entry> m_entries; // sorted by prefix; bucket b holds m_bucketStart[b] up to [b + 1]
    std::array<quint8, kBuckets + 1> m_bucketStart = {};
    int m_count = 0;
    bool m_skipPrefix = true; // no literal begins with two characters of a line's timestamp prefix
};

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
quint64 headerMask();
quint64 markerBit(LineMarker m);
// The texts that start or interrupt a call trace in a title's stack walk (oopstitle.cpp). Every
// line is checked for them too, after the markers: a line whose scanLine() has none of these
// bits set holds none of them, and neither does any part of it.
inline constexpr const char *kStackLiterals[]
    = {"Call Trace", "Call trace", "Allocated:", "Freed:", "Backtrace:", "Uninit was stored to memory at",
        "Allocated by task ", "Freed by task ", " backtrace", "should_fail"};
quint64 stackLiteralMask();
// The position of needle in hay, or -1, as memmem would find it (the first one). Faster than
// memmem on the short texts and needles used here: 16 positions at a time are tested for the
// needle's first and last byte (SSE2), and only those that have both are compared.
qsizetype findBytes(QByteArrayView hay, QByteArrayView needle);
inline bool contains(QByteArrayView hay, QByteArrayView needle)
{
    return findBytes(hay, needle) >= 0;
}

// The same name is printed in thousands of frames: one shared QString per distinct Latin-1 text
// (per thread; forgotten when it grows past a bound), instead of an allocation per frame.
QString internLatin1(QByteArrayView text);
// The same entry, with room for what patterns said of the name (the frame skip lists: see
// oopsrules.cpp). Valid until the next call.
struct InternedName {
    QString name;
    QVarLengthArray<std::pair<const void *, bool>, 4> verdicts; // pattern -> matched
};
InternedName &internedName(QByteArrayView text);

inline qsizetype find(QByteArrayView hay, QByteArrayView needle)
{
    return findBytes(hay, needle);
}

// True when the line contains one of the report headers (no suppression applied).
bool mayHoldHeader(QByteArrayView line);

// "func" out of "  [<ffffffff8100>] func.isra.0+0x1a/0x30 [mod]" (syzkaller's frame pattern:
// optional spaces, up to two [<pc>], then the name up to '.' or '+'). Empty when not a frame.
QByteArrayView frameFunction(QByteArrayView text);
// Both names of an ARM backtrace line "[<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)";
// false when the line is not one.
bool armFrameFunctions(QByteArrayView text, QByteArrayView *callee, QByteArrayView *caller);

} // namespace kmr::kernellog::detail
