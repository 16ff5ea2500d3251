// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: finding literal texts in a line, many at once (LiteralSet) or one
// (find()).

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
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
    friend class LineScan;
    // One distinct literal: its first four bytes, its bits (more than one when it was given twice),
    // and its next (up to) eight bytes with a mask of those it has, compared in one go.
    struct Entry {
        quint32 prefix;
        quint64 bits;
        QByteArray text;
        quint64 next = 0;
        quint64 nextMask = 0;
        bool occursAt(QByteArrayView line, qsizetype at) const; // its prefix is known to be there
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
    // verify() behind the hash filter's test, which most positions that pass Teddy's filter fail
    // (no call for them).
    quint64 verifyCandidate(QByteArrayView text, qsizetype at, unsigned buckets) const
    {
        quint32 w;
        std::memcpy(&w, text.data() + at, 4);
        return mayStart(w) ? verify(text, at, buckets) : 0;
    }
    quint64 m_bits[1024] = {}; // the hash filter
    // Teddy's tables: byte k of a literal's prefix sets its bucket's bit in m_nibbles[2k][low
    // nibble] and m_nibbles[2k + 1][high nibble].
    quint8 m_nibbles[8][16] = {};
    std::vector<Entry> m_entries; // sorted by prefix; bucket b holds m_bucketStart[b] up to [b + 1]
    std::array<quint8, kBuckets + 1> m_bucketStart = {};
    int m_count = 0;
    bool m_skipPrefix = true; // no literal begins with two characters of a line's timestamp prefix
    bool m_holdsNewline = false; // a literal holds a '\n' (LineScan then looks at each line alone)
    bool m_asciiPrefixes = true; // every literal begins with four bytes below 0x80
};

// The lines of a text, each with LiteralSet::find()'s bits, as the extractor reads every line of a
// log. With AVX2, one vector pass over a block of text (4 KiB) finds both its '\n's
// and the positions where a literal may start; then one walk over the two bit masks gives each
// line its end and the literals found between its ends (Teddy's filter, then verify()). That spares the memchr and the
// filter's set-up and tail of a call per line (lines average 64 bytes). A literal never holds a '\n', so each one found
// lies inside the line it starts in: the bits are find()'s. Without AVX2: memchr and find() per line.
class LineScan
{
public:
    // The vector pass's instructions (None: memchr and find() per line). The machine's best by
    // default; a LineScan takes the asked one if the machine has it, else its best.
    enum class Vector { None, Avx2 };
    static Vector bestVector();
    LineScan(const LiteralSet &set, QByteArrayView text, Vector vector = bestVector());
    Vector vector() const { return m_vector; }
    // The next line (without its '\n'; a '\r' before it stays) and set.find() of it; false after
    // the last line. A text that ends with '\n' has no empty line after it. question (optional):
    // false when the line holds no '?' (true: it may; without a vector pass, always true).
    bool next(QByteArrayView *line, quint64 *hits, bool *question = nullptr)
    {
        if (m_next == m_ready && !refill())
            return false;
        const Ending &e = m_endings[size_t(m_next++)];
        *line = QByteArrayView(m_text.data() + m_pos, e.end - m_pos);
        *hits = e.hits;
        if (question)
            *question = e.question;
        m_pos = e.end + 1;
        return true;
    }
    qsizetype position() const { return std::min(m_pos, m_text.size()); } // where the next line starts

private:
    static constexpr qsizetype kBlock = 4096; // bytes per vector pass (a multiple of 64)
    struct Ending {
        qsizetype end; // where a line ends (its '\n', or the end of the text)
        quint64 hits;
        bool question; // it may hold a '?'
    };
    bool refill();
    void scanBlock();
    void endLinesOfBlock(qsizetype from, qsizetype words);
    // The literals at the positions that passed the filter (bit i: block position 64 * word + i).
    quint64 verifyCandidates(qsizetype from, size_t word, quint64 bits) const;

    const LiteralSet &m_set;
    QByteArrayView m_text;
    Vector m_vector;
    qsizetype m_pos = 0; // where the next line starts
    qsizetype m_scanned = 0; // the blocks scanned end here
    quint64 m_carry = 0; // the bits of the line the last block ended inside...
    bool m_carryQuestion = false; // ...and whether it holds a '?' so far
    std::unique_ptr<Ending[]> m_endings; // the lines ended in the last block scanned...
    qsizetype m_ready = 0; // ...so many of them
    qsizetype m_next = 0; // the next one next() gives
    quint64 m_newlines[kBlock / 64]; // bit i of word w: the block's byte 64w + i is a '\n'
    quint64 m_questions[kBlock / 64]; // ... is a '?'
    quint64 m_candidates[kBlock / 64]; // positions that passed the filter (not the last 3 of the text)
    alignas(32) quint8 m_buckets[kBlock]; // for each, the buckets whose literals may start there
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
