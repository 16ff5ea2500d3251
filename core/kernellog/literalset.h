// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: finding literal texts in a line, many at once (LiteralSet) or one
// (find()).

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <array>
#include <cstring>
#include <vector>

namespace kmr::kernellog::detail {

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

// The position of needle in hay, or -1, as memmem would find it (the first one). Faster than
// memmem on the short texts and needles used here: 16 positions at a time are tested for the
// needle's first and last byte (SSE2), and only those that have both are compared.
qsizetype find(QByteArrayView hay, QByteArrayView needle);
inline bool contains(QByteArrayView hay, QByteArrayView needle)
{
    return find(hay, needle) >= 0;
}

// v.startsWith(literal) without QByteArrayView's out-of-line call: a comparison of a few bytes
// the compiler writes in place. For the per-line checks of a report's lines.
template<size_t N> Q_ALWAYS_INLINE bool hasPrefix(QByteArrayView v, const char (&literal)[N])
{
    return v.size() >= qsizetype(N - 1) && std::memcmp(v.data(), literal, N - 1) == 0;
}

} // namespace kmr::kernellog::detail
