// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"

#include <QHash>
#include <QtAlgorithms>

#include <algorithm>
#include <array>
#include <string_view>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kmr::kernellog::detail {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHex(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f');
}

bool isFuncChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
}

// Matches "(<N>)?[ *digits.digits]([ *[CT]digits])? " at p. Returns the offset after it, or -1.
qsizetype matchPrefix(QByteArrayView v, qsizetype p, LineContext &ctx)
{
    const qsizetype n = v.size();
    if (p < n && v[p] == '<') {
        qsizetype q = p + 1;
        while (q < n && isDigit(v[q]))
            ++q;
        if (q > p + 1 && q < n && v[q] == '>')
            p = q + 1;
    }
    if (p >= n || v[p] != '[')
        return -1;
    ++p;
    while (p < n && v[p] == ' ')
        ++p;
    qsizetype d = p;
    while (p < n && isDigit(v[p]))
        ++p;
    if (p == d || p >= n || v[p] != '.')
        return -1;
    ++p;
    d = p;
    while (p < n && isDigit(v[p]))
        ++p;
    if (p == d || p >= n || v[p] != ']')
        return -1;
    ++p;
    ctx = {LineContext::Console, {}};
    if (p < n && v[p] == '[') {
        qsizetype q = p + 1;
        while (q < n && v[q] == ' ')
            ++q;
        if (q < n && (v[q] == 'C' || v[q] == 'T')) {
            const qsizetype idStart = q;
            ++q;
            const qsizetype digits = q;
            while (q < n && isDigit(v[q]))
                ++q;
            if (q > digits && q < n && v[q] == ']') {
                ctx = {v[idStart] == 'T' ? LineContext::Task : LineContext::Cpu, v.sliced(idStart, q - idStart)};
                for (qsizetype d = digits; d < q && d < digits + 18; ++d)
                    ctx.number = ctx.number * 10 + quint64(v[d] - '0');
                p = q + 1;
            }
        }
    }
    if (p >= n || v[p] != ' ')
        return -1;
    return p;
}

#ifdef __SSE2__
// Bit i: s[i] is a digit (digits) or a space (spaces), for the 32 bytes at s.
void classify32(const char *s, quint32 *digits, quint32 *spaces)
{
    quint32 d = 0, sp = 0;
    for (int half = 0; half < 2; ++half) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 16 * half));
        const __m128i digit
            = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        d |= quint32(_mm_movemask_epi8(digit)) << (16 * half);
        sp |= quint32(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))) << (16 * half);
    }
    *digits = d;
    *spaces = sp;
}

// The first i >= from whose bit is not set in members (32 when the run of members reaches the end
// of the 32 bytes).
int runEnd(quint32 members, int from)
{
    return from + int(qCountTrailingZeroBits((~quint64(members)) >> from));
}

constexpr qsizetype kUndecided = -2;

// matchPrefix() on the 32 bytes at v[p] (v.size() - p >= 32): each run of digits or spaces is
// found with one bit scan. kUndecided when the prefix does not end inside them, or starts with
// "<N>": then matchPrefix() decides.
qsizetype matchPrefix32(QByteArrayView v, qsizetype p, LineContext &ctx)
{
    const char *s = v.data() + p;
    if (s[0] != '[')
        return s[0] == '<' ? kUndecided : -1;
    quint32 digits, spaces;
    classify32(s, &digits, &spaces);
    int i = runEnd(spaces, 1);
    int d = i;
    i = runEnd(digits, i);
    if (i == 32)
        return kUndecided;
    if (i == d || s[i] != '.')
        return -1;
    d = ++i;
    i = runEnd(digits, i);
    if (i == 32)
        return kUndecided;
    if (i == d || s[i] != ']')
        return -1;
    ++i;
    ctx = {LineContext::Console, {}};
    if (i < 32 && s[i] == '[') {
        const int q = runEnd(spaces, i + 1);
        if (q == 32)
            return kUndecided;
        if (s[q] == 'C' || s[q] == 'T') {
            const int e = runEnd(digits, q + 1);
            if (e == 32)
                return kUndecided;
            if (e > q + 1 && s[e] == ']') {
                ctx = {s[q] == 'T' ? LineContext::Task : LineContext::Cpu, v.sliced(p + q, e - q)};
                for (int k = q + 1; k < e && k < q + 1 + 18; ++k)
                    ctx.number = ctx.number * 10 + quint64(s[k] - '0');
                i = e + 1;
            }
        }
    }
    if (i == 32)
        return kUndecided;
    return s[i] == ' ' ? p + i : -1;
}
#endif

// matchPrefix(), 32 bytes at a time where the line is long enough.
qsizetype matchLinePrefix(QByteArrayView v, qsizetype p, LineContext &ctx)
{
#ifdef __SSE2__
    if (v.size() - p >= 32) {
        const qsizetype at = matchPrefix32(v, p, ctx);
        if (at != kUndecided)
            return at;
    }
#endif
    return matchPrefix(v, p, ctx);
}

bool endsWithUnreliable(QByteArrayView text)
{
    constexpr char kUnreliable[] = " (unreliable)";
    constexpr size_t length = sizeof kUnreliable - 1;
    return size_t(text.size()) >= length
        && std::memcmp(text.data() + text.size() - qsizetype(length), kUnreliable, length) == 0;
}

} // namespace

ParsedLine parseLine(QByteArrayView raw)
{
    ParsedLine pl;
    if (raw.endsWith('\r'))
        raw.chop(1);
    pl.raw = raw;
    pl.text = raw;
    pl.message = raw;
    qsizetype start = 0;
    // "** 5 printk messages dropped ** [ 1.2] ..." and "foo login: [ 1.2] ..." keep their context.
    if (raw.size() >= 3 && raw[0] == '*' && raw[1] == '*' && raw[2] == ' ') { // raw.startsWith("** ")
        const qsizetype e = raw.indexOf(" printk messages dropped ** ");
        if (e > 0)
            start = e + 28;
    }
    LineContext ctx;
    qsizetype after = matchLinePrefix(raw, start, ctx);
    if (after < 0 && start == 0 && raw.size() > 8 && raw.front() != '['
        && std::memchr(raw.data(), '[', size_t(raw.size()))) {
        const qsizetype login = raw.indexOf(" login: ");
        if (login >= 0)
            after = matchLinePrefix(raw, login + 8, ctx);
    }
    if (after < 0)
        return pl;
    pl.context = ctx;
    // The message starts after the prefix's "] " (syzkaller takes the first "] " of the line,
    // which is the same place unless a "login:" prompt came first).
    QByteArrayView text = raw.sliced(after + 1);
    pl.message = text;
    const char *q = static_cast<const char *>(std::memchr(text.data(), '?', size_t(text.size())));
    while (q) {
        const qsizetype at = q - text.data();
        if (at > 0 && at + 1 < text.size() && text[at - 1] == ' ' && text[at + 1] == ' ') {
            if (contains(text, "<EOI>"))
                break;
            pl.text = text.sliced(at + 1);
            pl.questionable = true;
            return pl;
        }
        q = static_cast<const char *>(std::memchr(q + 1, '?', size_t(text.size() - at - 1)));
    }
    if (endsWithUnreliable(text) && !contains(text, "<EOI>")) {
        pl.text = text.first(text.size() - 13);
        pl.questionable = true;
        return pl;
    }
    pl.text = text;
    return pl;
}

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
        const auto same = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.text == l; });
        if (same != m_entries.end()) {
            same->bits |= quint64(1) << i;
            continue;
        }
        quint32 w = 0;
        std::memcpy(&w, l.constData(), 4);
        m_entries.push_back({w, quint64(1) << i, l});
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
            if (l.prefix == w && at + l.text.size() <= line.size()
                && std::memcmp(line.data() + at + 4, l.text.constData() + 4, size_t(l.text.size() - 4)) == 0)
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

namespace {

const LiteralSet &lineLiterals()
{
    static const LiteralSet set = [] {
        QList<QByteArray> l;
        for (const auto &g : rules::groups())
            l << g.header;
        l << "printk messages dropped"
          << "Disabling lock debugging due to kernel taint"
          << "Sending NMI from CPU"
          << "Kernel panic - not syncing"
          << "WARNING: possible circular locking dependency detected"
          << "vmalloc: allocation failure:"
          << "FAULT_INJECTION: forcing a failure"
          << "FAULT_FLAG_ALLOW_RETRY missing"
          << "Call Trace"
          << "backtrace"
          << "Call trace";
        for (const char *stack : kStackLiterals)
            l << stack;
        return LiteralSet(l);
    }();
    return set;
}

} // namespace

quint64 scanLine(QByteArrayView line)
{
    return lineLiterals().find(line);
}

namespace {
const int kGroupCount = int(rules::groups().size());
}

quint64 headerMask()
{
    return (quint64(1) << kGroupCount) - 1;
}

quint64 markerBit(LineMarker m)
{
    return quint64(1) << (kGroupCount + int(m));
}

quint64 stackLiteralMask()
{
    constexpr int count = int(std::size(kStackLiterals));
    return ((quint64(1) << count) - 1) << (kGroupCount + int(MarkCount));
}

namespace {

// Whether needle (at least 2 bytes) is at hay[at]; its first and last bytes are known to match.
bool middleMatches(const char *hay, qsizetype at, QByteArrayView needle)
{
    return std::memcmp(hay + at + 1, needle.data() + 1, size_t(needle.size() - 2)) == 0;
}

} // namespace

qsizetype findBytes(QByteArrayView hay, QByteArrayView needle)
{
    const qsizetype m = needle.size(), n = hay.size();
    if (m == 0 || n < m)
        return -1;
    const char *h = hay.data();
    if (m == 1) {
        const void *at = std::memchr(h, needle[0], size_t(n));
        return at ? static_cast<const char *>(at) - h : -1;
    }
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

namespace {

// The names of internedName(): open addressing on a 64-bit hash of the bytes, cheaper than a
// QHash<QByteArray> for the short names looked up once per frame.
class NameTable
{
public:
    InternedName &get(QByteArrayView text)
    {
        const quint64 h = hashOf(text);
        size_t i = slotOf(h);
        for (; m_slots[i].hash; i = (i + 1) & (m_slots.size() - 1)) {
            const Slot &s = m_slots[i];
            if (s.hash == h && s.key.size() == text.size()
                && std::memcmp(s.key.constData(), text.data(), size_t(text.size())) == 0)
                return m_slots[i].value;
        }
        if (m_used > 100000) { // forget them all, as the table would grow without bound
            m_slots = std::vector<Slot>(kInitialSize);
            m_used = 0;
        } else if (2 * (m_used + 1) > m_slots.size()) {
            grow();
        } else {
            return insertAt(i, h, text);
        }
        return get(text);
    }

private:
    struct Slot {
        quint64 hash = 0; // 0: free
        QByteArray key;
        InternedName value;
    };
    static constexpr size_t kInitialSize = 1024;

    static quint64 hashOf(QByteArrayView text)
    {
        quint64 h = quint64(text.size()) * 0x9e3779b97f4a7c15u;
        qsizetype i = 0;
        for (; i + 8 <= text.size(); i += 8) {
            quint64 w;
            std::memcpy(&w, text.data() + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdu;
            h ^= h >> 29;
        }
        quint64 w = 0; // the last bytes (the last 8 when there are that many, even if hashed already)
        if (text.size() >= 8)
            std::memcpy(&w, text.data() + text.size() - 8, 8);
        else
            for (; i < text.size(); ++i)
                w = w << 8 | uchar(text[i]);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
        h ^= h >> 32;
        return h | 1; // never 0
    }
    size_t slotOf(quint64 h) const { return size_t(h >> 7) & (m_slots.size() - 1); }

    InternedName &insertAt(size_t i, quint64 h, QByteArrayView text)
    {
        ++m_used;
        m_slots[i].hash = h;
        m_slots[i].key = text.toByteArray();
        m_slots[i].value = InternedName {QString::fromLatin1(text), {}};
        return m_slots[i].value;
    }

    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        for (Slot &s : old) {
            if (!s.hash)
                continue;
            size_t i = slotOf(s.hash);
            while (m_slots[i].hash)
                i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = std::move(s);
        }
    }

    std::vector<Slot> m_slots = std::vector<Slot>(kInitialSize);
    size_t m_used = 0;
};

} // namespace

InternedName &internedName(QByteArrayView text)
{
    thread_local NameTable names;
    return names.get(text);
}

QString internLatin1(QByteArrayView text)
{
    return internedName(text).name;
}

bool mayHoldHeader(QByteArrayView line)
{
    return scanLine(line) & headerMask();
}

namespace {

// "[<80de0078>]" at p; returns the offset after it or -1.
qsizetype skipPc(QByteArrayView v, qsizetype p)
{
    const qsizetype n = v.size();
    if (p >= n || v[p] != '[')
        return -1;
    ++p;
    if (p < n && v[p] == '<')
        ++p;
    if (p + 1 < n && v[p] == '0' && v[p + 1] == 'x')
        p += 2;
    const qsizetype h = p;
    while (p < n && isHex(v[p]))
        ++p;
    if (p == h)
        return -1;
    if (p < n && v[p] == '>')
        ++p;
    if (p >= n || v[p] != ']')
        return -1;
    return p + 1;
}

// The end of the run of isFuncChar() characters at v[p]: 16 bytes at a time where there are that
// many.
inline qsizetype funcCharsEnd(QByteArrayView v, qsizetype p)
{
    const qsizetype n = v.size();
#ifdef __SSE2__
    for (; p + 16 <= n; p += 16) {
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(v.data() + p));
        const __m128i folded = _mm_or_si128(c, _mm_set1_epi8(0x20)); // 'A'-'Z' to 'a'-'z'
        const __m128i letter = _mm_and_si128(
            _mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
        const __m128i digit
            = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1)));
        const __m128i funcChar = _mm_or_si128(_mm_or_si128(letter, digit), _mm_cmpeq_epi8(c, _mm_set1_epi8('_')));
        const unsigned other = ~unsigned(_mm_movemask_epi8(funcChar)) & 0xffff;
        if (other)
            return p + qCountTrailingZeroBits(other);
    }
#endif
    while (p < n && isFuncChar(v[p]))
        ++p;
    return p;
}

} // namespace

bool armFrameFunctions(QByteArrayView v, QByteArrayView *callee, QByteArrayView *caller)
{
    qsizetype p = 0;
    const qsizetype n = v.size();
    while (p < n && v[p] == ' ')
        ++p;
    p = skipPc(v, p);
    if (p < 0 || p + 2 >= n || v[p] != ' ' || v[p + 1] != '(')
        return false;
    p += 2;
    const qsizetype a = p;
    while (p < n && (isFuncChar(v[p]) || v[p] == '.'))
        ++p;
    if (p == a || !v.sliced(p).startsWith(") from "))
        return false;
    *callee = v.sliced(a, p - a);
    p = skipPc(v, p + 7);
    if (p < 0 || p + 2 >= n || v[p] != ' ' || v[p + 1] != '(')
        return false;
    p += 2;
    const qsizetype b = p;
    p = funcCharsEnd(v, p);
    if (p == b || p >= n || (v[p] != '.' && v[p] != '+'))
        return false;
    *caller = v.sliced(b, p - b);
    return true;
}

QByteArrayView frameFunction(QByteArrayView v)
{
    qsizetype p = 0;
    const qsizetype n = v.size();
    while (p < n && v[p] == ' ')
        ++p;
    for (int pcs = 0; pcs < 2 && p < n && v[p] == '['; ++pcs) {
        qsizetype q = p + 1;
        if (q < n && v[q] == '<')
            ++q;
        if (q + 1 < n && v[q] == '0' && v[q + 1] == 'x')
            q += 2;
        const qsizetype h = q;
        while (q < n && isHex(v[q]))
            ++q;
        if (q == h)
            return {};
        if (q < n && v[q] == '>')
            ++q;
        if (q + 1 >= n || v[q] != ']' || v[q + 1] != ' ')
            return {};
        p = q + 2;
    }
    const qsizetype f = p;
    p = funcCharsEnd(v, p);
    if (p == f || p >= n || (v[p] != '.' && v[p] != '+'))
        return {};
    return v.sliced(f, p - f);
}

} // namespace kmr::kernellog::detail
