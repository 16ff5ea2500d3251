// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/literalset.h"

#include <QtAlgorithms>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kmr::kernellog::detail {

namespace {

// The characters of a line's "[  12.345678][ T123] " prefix (and "<6>"), as a table.
constexpr std::array<bool, 256> kPrefixChars = [] {
    std::array<bool, 256> t {};
    for (const char c : std::string_view("0123456789[] .<>CT"))
        t[uchar(c)] = true;
    return t;
}();

bool isPrefixChar(char c)
{
    return kPrefixChars[uchar(c)];
}

} // namespace

LiteralSet::LiteralSet(const QList<QByteArray> &literals)
    : m_count(int(literals.size()))
{
    Q_ASSERT(literals.size() <= 64);
    for (qsizetype i = 0; i < literals.size(); ++i) {
        const QByteArray &l = literals[i];
        Q_ASSERT(l.size() >= 4);
        // See searchStart(): no literal may begin with two prefix characters.
        m_skipPrefix = m_skipPrefix && !(isPrefixChar(l[0]) && isPrefixChar(l[1]));
        m_holdsNewline = m_holdsNewline || l.contains('\n');
        m_asciiPrefixes
            = m_asciiPrefixes && std::all_of(l.begin(), l.begin() + 4, [](char c) { return uchar(c) < 0x80; });
        const auto same = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.text == l; });
        if (same != m_entries.end()) {
            same->bits |= quint64(1) << i;
            continue;
        }
        quint32 w = 0;
        std::memcpy(&w, l.constData(), 4);
        Entry e {w, quint64(1) << i, l};
        const qsizetype next = std::min<qsizetype>(l.size() - 4, 8);
        std::memcpy(&e.next, l.constData() + 4, size_t(next));
        e.nextMask = next == 8 ? ~quint64(0) : (quint64(1) << (8 * next)) - 1;
        m_entries.push_back(e);
        const quint32 h = hash(w);
        m_bits[h >> 6] |= quint64(1) << (h & 63);
    }
    // Sorted, literals that share leading bytes land in the same bucket, which keeps each
    // bucket's nibble sets small: fewer positions pass the filter.
    std::sort(m_entries.begin(), m_entries.end(),
        [](const Entry &x, const Entry &y) { return std::memcmp(&x.prefix, &y.prefix, 4) < 0; });
    std::vector<int> bucketOf(m_entries.size());
    int distinct = 0;
    for (size_t e = 0; e < m_entries.size(); ++e)
        distinct += e == 0 || m_entries[e].prefix != m_entries[e - 1].prefix;
    for (size_t e = 0, rank = 0; e < m_entries.size(); ++e) {
        rank += e > 0 && m_entries[e].prefix != m_entries[e - 1].prefix;
        bucketOf[e] = int(rank * kBuckets / size_t(std::max(distinct, 1)));
        for (int k = 0; k < 4; ++k) {
            const uchar c = uchar(m_entries[e].text[k]);
            m_nibbles[2 * k][c & 15] |= quint8(1 << bucketOf[e]);
            m_nibbles[2 * k + 1][c >> 4] |= quint8(1 << bucketOf[e]);
        }
    }
    for (int b = 0; b < kBuckets; ++b)
        m_bucketStart[b + 1] = quint8(std::count_if(bucketOf.begin(), bucketOf.end(), [&](int x) { return x <= b; }));
}

// Where a literal may start. A line starts with a run of prefix characters (the timestamp and
// caller id). No literal begins with two of them, so none can start before the run's last
// character: the search starts there, which spares a third of a typical line.
qsizetype LiteralSet::searchStart(QByteArrayView line) const
{
    qsizetype from = 0;
    if (m_skipPrefix) {
        while (from < line.size() && isPrefixChar(line[from]))
            ++from;
        from = std::max<qsizetype>(0, from - 1);
    }
    return from;
}

// Where the line has 12 bytes from at, bytes 4 to 11 are compared as one word (which rejects
// nearly every position that only shares the literal's first four bytes), then what is left of
// a longer literal; else memcmp compares bytes 4 to the end.
Q_ALWAYS_INLINE bool LiteralSet::Entry::occursAt(QByteArrayView line, qsizetype at) const
{
    const qsizetype size = text.size();
    if (at + size > line.size())
        return false;
    if (at + 12 > line.size())
        return std::memcmp(line.data() + at + 4, text.constData() + 4, size_t(size - 4)) == 0;
    quint64 x;
    std::memcpy(&x, line.data() + at + 4, 8);
    return (x & nextMask) == next
        && (size <= 12 || std::memcmp(line.data() + at + 12, text.constData() + 12, size_t(size - 12)) == 0);
}

// The literals of the given buckets that occur at line[at] (at + 4 <= line.size()).
quint64 LiteralSet::verify(QByteArrayView line, qsizetype at, unsigned buckets) const
{
    quint32 w;
    std::memcpy(&w, line.data() + at, 4);
    if (!mayStart(w))
        return 0;
    quint64 found = 0;
    for (; buckets; buckets &= buckets - 1) {
        const int b = qCountTrailingZeroBits(buckets);
        for (int e = m_bucketStart[b]; e < m_bucketStart[b + 1]; ++e) {
            const Entry &l = m_entries[size_t(e)];
            if (l.prefix == w && l.occursAt(line, at))
                found |= l.bits;
        }
    }
    return found;
}

quint64 LiteralSet::findPortable(QByteArrayView line) const
{
    quint64 found = 0;
    const char *p = line.data();
    for (qsizetype i = searchStart(line); i + 4 <= line.size(); ++i) {
        quint32 w;
        std::memcpy(&w, p + i, 4);
        if (mayStart(w))
            found |= verify(line, i, (1u << kBuckets) - 1);
    }
    return found;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KMR_HAVE_TEDDY 1

namespace {

// The filter needs AVX2 (Intel since 2013, AMD since 2015); find() checks once.
#define KMR_AVX2 __attribute__((target("avx2")))

// The bytes of kPrefixChars as nibble tables: c is a prefix character when
// kPrefixLow[c & 15] & kPrefixHigh[c >> 4] is not 0 (a bit per high nibble 2 to 5, where they all are).
constexpr std::array<quint8, 16> kPrefixLow = [] {
    std::array<quint8, 16> t {};
    for (int c = 0x20; c < 0x60; ++c)
        if (kPrefixChars[size_t(c)])
            t[size_t(c & 15)] |= quint8(1 << ((c >> 4) - 2));
    return t;
}();
constexpr std::array<quint8, 16> kPrefixHigh = {0, 0, 1, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static_assert([] {
    for (int c = 0; c < 256; ++c)
        if (kPrefixChars[size_t(c)] != ((kPrefixLow[size_t(c & 15)] & kPrefixHigh[size_t(c >> 4)]) != 0))
            return false;
    return true;
}());

constexpr qsizetype kBlock = 32; // positions per block

KMR_AVX2 inline __m256i load32(const char *p)
{
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
}

// A 16-byte table in both lanes (vpshufb looks up within each lane).
KMR_AVX2 inline __m256i table(const quint8 *t)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(t)));
}

// Per byte of v: low[its low nibble] & high[its high nibble].
KMR_AVX2 inline __m256i nibbleLookup(__m256i low, __m256i high, __m256i v)
{
    const __m256i mask = _mm256_set1_epi8(0x0f);
    return _mm256_and_si256(_mm256_shuffle_epi8(low, _mm256_and_si256(v, mask)),
        _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(v, 4), mask)));
}

// Bit i: byte i of v is not 0.
KMR_AVX2 inline unsigned nonZeroBytes(__m256i v)
{
    return ~unsigned(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256())));
}

// LiteralSet::searchStart() 32 bytes at a time: how many prefix characters the line starts with,
// less one.
KMR_AVX2 inline qsizetype prefixRunEnd(const char *p, qsizetype size)
{
    const __m256i low = table(kPrefixLow.data()), high = table(kPrefixHigh.data());
    qsizetype run = 0;
    for (; run + kBlock <= size; run += kBlock) {
        const unsigned other = ~nonZeroBytes(nibbleLookup(low, high, load32(p + run)));
        if (other)
            return std::max<qsizetype>(0, run + qCountTrailingZeroBits(other) - 1);
    }
    while (run < size && isPrefixChar(p[run]))
        ++run;
    return std::max<qsizetype>(0, run - 1);
}

struct TeddyTables {
    __m256i n0, n1, n2, n3, n4, n5, n6, n7;
};

// For each of the 32 positions at p: the buckets whose literals may start there (a byte each).
// Reads p[0] to p[34].
KMR_AVX2 inline __m256i teddyBlock(const TeddyTables &t, const char *p)
{
    return _mm256_and_si256(
        _mm256_and_si256(nibbleLookup(t.n0, t.n1, load32(p)), nibbleLookup(t.n2, t.n3, load32(p + 1))),
        _mm256_and_si256(nibbleLookup(t.n4, t.n5, load32(p + 2)), nibbleLookup(t.n6, t.n7, load32(p + 3))));
}

// A block with positions that passed the filter: bit i of hits says that base + i did, and
// buckets[i] for which buckets.
struct BlockHits {
    alignas(32) quint8 buckets[kBlock];
    qsizetype base;
    unsigned hits;
};

KMR_AVX2 inline bool record(BlockHits *out, __m256i buckets, qsizetype base, unsigned positions)
{
    out->hits = nonZeroBytes(buckets) & positions;
    if (!out->hits)
        return false;
    _mm256_store_si256(reinterpret_cast<__m256i *>(out->buckets), buckets);
    out->base = base;
    return true;
}

// Filters the positions [*from, size - 4] of p in blocks of 32 until one has positions that pass:
// then returns it in out and true, with *from moved past it. The blocks start at *from,
// *from + 32 and so on, but never after lastBlock: the last one overlaps the one before. No
// call in the loop, so that the tables stay in registers.
KMR_AVX2 inline bool nextHits(
    const quint8 (&nibbles)[8][16], const char *p, qsizetype size, qsizetype lastBlock, qsizetype *from, BlockHits *out)
{
    const TeddyTables t {table(nibbles[0]), table(nibbles[1]), table(nibbles[2]), table(nibbles[3]), table(nibbles[4]),
        table(nibbles[5]), table(nibbles[6]), table(nibbles[7])};
    qsizetype i = *from;
    for (; i < lastBlock; i += kBlock) {
        if (record(out, teddyBlock(t, p + i), i, ~0u)) {
            *from = i + kBlock;
            return true;
        }
    }
    *from = size;
    if (i + 4 > size)
        return false;
    const qsizetype valid = size - 3 - lastBlock; // positions up to size - 4
    const unsigned positions = ~0u << (i - lastBlock) & (valid >= kBlock ? ~0u : (1u << valid) - 1);
    return record(out, teddyBlock(t, p + lastBlock), lastBlock, positions);
}

// LiteralSet::find() with the filter. A line too short for a block is copied into a padded buffer.
template<typename Verify>
KMR_AVX2 void teddyScan(
    const quint8 (&nibbles)[8][16], const char *p, qsizetype size, bool skipPrefix, const Verify &verify)
{
    constexpr qsizetype kSpan = kBlock + 3; // the bytes a block reads
    alignas(32) char padded[2 * kBlock];
    if (size < kSpan) {
        std::memset(padded, 0, sizeof padded);
        std::memcpy(padded, p, size_t(size));
        p = padded;
    }
    const qsizetype lastBlock = std::max<qsizetype>(0, size - kSpan);
    qsizetype from = skipPrefix ? prefixRunEnd(p, size) : 0;
    BlockHits block;
    while (nextHits(nibbles, p, size, lastBlock, &from, &block)) {
        for (unsigned hits = block.hits; hits; hits &= hits - 1) {
            const int i = qCountTrailingZeroBits(hits);
            verify(block.base + i, block.buckets[i]);
        }
    }
}

// Bit i: byte i of v is byte i of w.
KMR_AVX2 inline unsigned bytesEqual(__m256i v, __m256i w)
{
    return unsigned(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, w)));
}

// Teddy's filter on the 32 positions at p, as teddyBlock(), for sets whose literals begin with
// four ASCII bytes: the low nibble's lookup then goes without its mask. vpshufb gives 0 for an
// index byte >= 0x80, where the masked lookup gives low[c & 15] & high[c >> 4] with high[8..15]
// all 0 (no literal's byte there has that high nibble): 0 as well.
KMR_AVX2 inline __m256i asciiNibbleLookup(__m256i low, __m256i high, __m256i v)
{
    return _mm256_and_si256(_mm256_shuffle_epi8(low, v),
        _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f))));
}

KMR_AVX2 inline __m256i asciiTeddyBlock(const TeddyTables &t, const char *p)
{
    return _mm256_and_si256(
        _mm256_and_si256(asciiNibbleLookup(t.n0, t.n1, load32(p)), asciiNibbleLookup(t.n2, t.n3, load32(p + 1))),
        _mm256_and_si256(asciiNibbleLookup(t.n4, t.n5, load32(p + 2)), asciiNibbleLookup(t.n6, t.n7, load32(p + 3))));
}

// LineScan's vector pass: for each 64-byte chunk c of p (chunks of them), bit i of newlines[c]
// says whether p[64c + i] is a '\n', of questions[c] whether it is a '?', and of candidates[c]
// whether a literal may start there (buckets[64c + i]: which buckets). Reads p[0] to
// p[64 * chunks + 2].
template<bool kAscii>
KMR_AVX2 void scanChunks(const quint8 (&nibbles)[8][16], const char *p, qsizetype chunks, quint64 *newlines,
    quint64 *questions, quint64 *candidates, quint8 *buckets)
{
    const TeddyTables t {table(nibbles[0]), table(nibbles[1]), table(nibbles[2]), table(nibbles[3]), table(nibbles[4]),
        table(nibbles[5]), table(nibbles[6]), table(nibbles[7])};
    const __m256i newline = _mm256_set1_epi8('\n'), question = _mm256_set1_epi8('?');
    for (qsizetype c = 0; c < chunks; ++c) {
        const char *q = p + 64 * c;
        const __m256i low = kAscii ? asciiTeddyBlock(t, q) : teddyBlock(t, q);
        const __m256i high = kAscii ? asciiTeddyBlock(t, q + 32) : teddyBlock(t, q + 32);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(buckets + 64 * c), low);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(buckets + 64 * c + 32), high);
        candidates[c] = quint64(nonZeroBytes(low)) | quint64(nonZeroBytes(high)) << 32;
        newlines[c] = quint64(bytesEqual(load32(q), newline)) | quint64(bytesEqual(load32(q + 32), newline)) << 32;
        questions[c] = quint64(bytesEqual(load32(q), question)) | quint64(bytesEqual(load32(q + 32), question)) << 32;
    }
}

const bool kHaveAvx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
}();

} // namespace
#endif

bool LiteralSet::hasSimdFilter()
{
#ifdef KMR_HAVE_TEDDY
    return kHaveAvx2;
#else
    return false;
#endif
}

quint64 LiteralSet::find(QByteArrayView line) const
{
#ifdef KMR_HAVE_TEDDY
    if (kHaveAvx2) {
        quint64 found = 0;
        teddyScan(m_nibbles, line.data(), line.size(), m_skipPrefix, [&](qsizetype at, unsigned buckets) {
            quint32 w;
            std::memcpy(&w, line.data() + at, 4);
            if (mayStart(w)) // most positions that pass the filter stop here, without a call
                found |= verify(line, at, buckets);
        });
        return found;
    }
#endif
    return findPortable(line);
}
LineScan::LineScan(const LiteralSet &set, QByteArrayView text, Vector vector)
    : m_set(set)
    , m_text(text)
    , m_vector(set.m_holdsNewline ? Vector::None : std::min(vector, bestVector()))
    , m_endings(new Ending[m_vector == Vector::None ? 1 : size_t(kBlock)])
{ }

LineScan::Vector LineScan::bestVector()
{
#ifdef KMR_HAVE_TEDDY
    return kHaveAvx2 ? Vector::Avx2 : Vector::None;
#else
    return Vector::None;
#endif
}

// Ends at least one more line, unless the text has no more: scans blocks until one holds a '\n'
// (or the text ends without one).
bool LineScan::refill()
{
    m_next = m_ready = 0;
    const qsizetype size = m_text.size();
    if (m_pos >= size)
        return false;
    if (m_vector == Vector::None) {
        const void *nl = std::memchr(m_text.data() + m_pos, '\n', size_t(size - m_pos));
        const qsizetype end = nl ? static_cast<const char *>(nl) - m_text.data() : size;
        m_endings[0] = {end, m_set.find(m_text.sliced(m_pos, end - m_pos)), true};
        m_ready = 1;
        return true;
    }
    while (m_ready == 0) {
        if (m_scanned == size) { // the last line has no '\n'
            m_endings[0] = {size, m_carry, m_carryQuestion};
            m_ready = 1;
            m_carry = 0;
            m_carryQuestion = false;
            break;
        }
        scanBlock();
    }
    return true;
}

// The vector pass over the kBlock bytes (or fewer, at the end) from m_scanned, then the lines
// that end in them. Its last chunks read up to 67 bytes from their start: near the end of the
// text, they read a zero-padded copy.
void LineScan::scanBlock()
{
#ifdef KMR_HAVE_TEDDY
    const qsizetype size = m_text.size(), from = m_scanned;
    const qsizetype length = std::min(kBlock, size - from);
    const qsizetype chunks = (length + 63) / 64;
    const qsizetype direct = std::clamp<qsizetype>((size - from - 3) / 64, 0, chunks);
    const auto scan = m_set.m_asciiPrefixes ? scanChunks<true> : scanChunks<false>;
    scan(m_set.m_nibbles, m_text.data() + from, direct, m_newlines, m_questions, m_candidates, m_buckets);
    if (direct < chunks) {
        alignas(32) char padded[3 * 64] = {};
        const qsizetype rest = size - from - 64 * direct; // less than 67 bytes
        std::memcpy(padded, m_text.data() + from + 64 * direct, size_t(rest));
        scan(m_set.m_nibbles, padded, chunks - direct, m_newlines + direct, m_questions + direct, m_candidates + direct,
            m_buckets + 64 * direct);
    }
    // Drop what lies past the block (the next one looks at it), and positions less than 4 bytes
    // from the end of the text (no literal fits there; find() does not look at them either).
    const auto keepBelow = [&](quint64 *masks, qsizetype end) {
        for (qsizetype w = std::max<qsizetype>(0, end) / 64; w < chunks; ++w)
            masks[w] &= end > 64 * w ? ~quint64(0) >> (64 - (end - 64 * w)) : 0;
    };
    keepBelow(m_newlines, length);
    keepBelow(m_questions, length);
    keepBelow(m_candidates, std::min(length, size - 3 - from));
    m_scanned = from + length;
    endLinesOfBlock(from, chunks);
#else
    Q_UNREACHABLE();
#endif
}

// Walks the block's '\n's in order: each ends a line, which gets the literals verified at the
// candidates before it (and after the previous '\n').
void LineScan::endLinesOfBlock(qsizetype from, qsizetype words)
{
    quint64 found = m_carry;
    quint64 question = m_carryQuestion; // not 0: the line holds a '?'
    // In locals, not members: a store through endings could change a member, as the compiler
    // sees it, which would reload them for each line.
    Ending *const endings = m_endings.get();
    qsizetype ready = m_ready;
    for (qsizetype w = 0; w < words; ++w) {
        quint64 candidates = m_candidates[size_t(w)], questions = m_questions[size_t(w)];
        for (quint64 newlines = m_newlines[size_t(w)]; newlines; newlines &= newlines - 1) {
            const quint64 upToNewline = newlines ^ (newlines - 1);
            if (candidates & upToNewline)
                found |= verifyCandidates(from, size_t(w), candidates & upToNewline);
            candidates &= ~upToNewline;
            question |= questions & upToNewline;
            questions &= ~upToNewline;
            endings[ready++] = {from + 64 * w + qCountTrailingZeroBits(newlines), found, question != 0};
            found = 0;
            question = 0;
        }
        if (candidates)
            found |= verifyCandidates(from, size_t(w), candidates);
        question |= questions;
    }
    m_ready = ready;
    m_carry = found;
    m_carryQuestion = question != 0;
}

quint64 LineScan::verifyCandidates(qsizetype from, size_t word, quint64 bits) const
{
    quint64 found = 0;
    for (; bits; bits &= bits - 1) {
        const size_t at = 64 * word + qCountTrailingZeroBits(bits);
        found |= m_set.verifyCandidate(m_text, from + qsizetype(at), m_buckets[at]);
    }
    return found;
}

namespace {

// Whether needle (at least 2 bytes) is at hay[at]; its first and last bytes are known to match.
bool middleMatches(const char *hay, qsizetype at, QByteArrayView needle)
{
    return std::memcmp(hay + at + 1, needle.data() + 1, size_t(needle.size() - 2)) == 0;
}

} // namespace

#ifdef KMR_HAVE_TEDDY
namespace {

// Bit i: the needle's first and last bytes are in place for position at + i of h.
KMR_AVX2 inline __m256i edgesMatch(const char *h, qsizetype at, qsizetype m, __m256i firsts, __m256i lasts)
{
    return _mm256_and_si256(
        _mm256_cmpeq_epi8(load32(h + at), firsts), _mm256_cmpeq_epi8(load32(h + at + m - 1), lasts));
}

// The first of the positions at + i (bit i of bits) where the needle is, or -1.
inline qsizetype firstMatch(const char *h, qsizetype at, unsigned bits, QByteArrayView needle)
{
    for (; bits; bits &= bits - 1) {
        const qsizetype pos = at + qCountTrailingZeroBits(bits);
        if (middleMatches(h, pos, needle))
            return pos;
    }
    return -1;
}

// find() 32 positions at a time, for a hay with at least 32 positions (n - m >= 31): the report
// texts the titles search are kilobytes long. A block's candidates (the needle's first and last
// byte in place) are verified in order, so the first match is found first. Two blocks at a time
// are tested for any candidate with one branch.
KMR_AVX2 qsizetype findAvx2(const char *h, qsizetype n, QByteArrayView needle)
{
    const qsizetype m = needle.size();
    const __m256i firsts = _mm256_set1_epi8(needle[0]), lasts = _mm256_set1_epi8(needle[m - 1]);
    const qsizetype lastBlock = n - m - 31; // a block tests positions at to at + 31: reads h[at + m + 30]
    qsizetype i = 0;
    for (; i + 32 <= lastBlock; i += 64) {
        const __m256i a = edgesMatch(h, i, m, firsts, lasts), b = edgesMatch(h, i + 32, m, firsts, lasts);
        const __m256i any = _mm256_or_si256(a, b);
        if (_mm256_testz_si256(any, any))
            continue;
        if (const qsizetype pos = firstMatch(h, i, unsigned(_mm256_movemask_epi8(a)), needle); pos >= 0)
            return pos;
        if (const qsizetype pos = firstMatch(h, i + 32, unsigned(_mm256_movemask_epi8(b)), needle); pos >= 0)
            return pos;
    }
    for (; i <= lastBlock + 31; i += 32) { // positions from i on are left
        const qsizetype at = std::min(i, lastBlock); // the last block ends at the end of hay
        const unsigned bits = unsigned(_mm256_movemask_epi8(edgesMatch(h, at, m, firsts, lasts))) & (~0u << (i - at));
        if (const qsizetype pos = firstMatch(h, at, bits, needle); pos >= 0)
            return pos;
    }
    return -1;
}

} // namespace
#endif

qsizetype find(QByteArrayView hay, QByteArrayView needle)
{
    const qsizetype m = needle.size(), n = hay.size();
    if (m == 0 || n < m)
        return -1;
    const char *h = hay.data();
    if (m == 1) {
        const void *at = std::memchr(h, needle[0], size_t(n));
        return at ? static_cast<const char *>(at) - h : -1;
    }
#ifdef KMR_HAVE_TEDDY
    if (kHaveAvx2 && n - m >= 31)
        return findAvx2(h, n, needle);
#endif
    const char first = needle[0], last = needle[m - 1];
    qsizetype i = 0;
#ifdef __SSE2__
    // A block tests the positions i to i + 15: it reads h[i] to h[i + m + 14].
    const qsizetype lastBlock = n - m - 15;
    if (lastBlock >= 0) {
        const __m128i firsts = _mm_set1_epi8(first), lasts = _mm_set1_epi8(last);
        const auto candidates = [&](qsizetype at) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at + m - 1));
            return unsigned(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, firsts), _mm_cmpeq_epi8(b, lasts))));
        };
        for (;; i += 16) {
            const qsizetype at = std::min(i, lastBlock); // the last block ends at the end of hay
            for (unsigned bits = candidates(at) & (0xffffu << (i - at)); bits; bits &= bits - 1) {
                const qsizetype pos = at + qCountTrailingZeroBits(bits);
                if (middleMatches(h, pos, needle))
                    return pos;
            }
            if (at == lastBlock)
                return -1;
        }
    }
#endif
    for (; i <= n - m; ++i) {
        if (h[i] == first && h[i + m - 1] == last && middleMatches(h, i, needle))
            return i;
    }
    return -1;
}

} // namespace kmr::kernellog::detail
