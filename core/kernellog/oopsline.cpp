// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"

#include <QtAlgorithms>

#include <algorithm>
#include <cstring>
#include <iterator>

#ifdef __SSE2__
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
// The first i >= from whose bit is not set in members (32 when the run of members reaches the end
// of the 32 bytes).
int runEnd(quint32 members, int from)
{
    return from + int(qCountTrailingZeroBits((~quint64(members)) >> from));
}

constexpr qsizetype kUndecided = lineprefix::kUndecided;
using lineprefix::classify32;
using lineprefix::matchPrintkPrefix;

// matchPrefix() on the 32 bytes at v[p] that start with '[' and are classified (digits, spaces):
// each run of digits or spaces is found with one bit scan. kUndecided when the prefix does not
// end inside them.
Q_NEVER_INLINE qsizetype matchPrefixRuns(
    QByteArrayView v, qsizetype p, quint32 digits, quint32 spaces, LineContext &ctx)
{
    const char *s = v.data() + p;
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
                quint64 number = 0;
                for (int k = q + 1; k < e && k < q + 1 + 18; ++k)
                    number = number * 10 + quint64(s[k] - '0');
                ctx = {s[q] == 'T' ? LineContext::Task : LineContext::Cpu, v.sliced(p + q, e - q), number};
                i = e + 1;
            }
        }
    }
    if (i == 32)
        return kUndecided;
    return s[i] == ' ' ? p + i : -1;
}

// matchPrefix() on the 32 bytes at v[p] (v.size() - p >= 32): printk's own shape at fixed
// columns, else the run scan. kUndecided when the prefix does not end inside them, or starts with
// "<N>": then matchPrefix() decides.
Q_ALWAYS_INLINE qsizetype matchPrefix32(QByteArrayView v, qsizetype p, LineContext &ctx)
{
    const char *s = v.data() + p;
    if (s[0] != '[')
        return s[0] == '<' ? kUndecided : -1;
    quint32 digits, spaces;
    classify32(s, &digits, &spaces);
    const qsizetype at = matchPrintkPrefix(v, p, digits, spaces, ctx);
    return at != kUndecided ? at : matchPrefixRuns(v, p, digits, spaces, ctx);
}
#endif

// matchPrefix(), 32 bytes at a time where the line is long enough. Sets ctx only when it matches.
Q_ALWAYS_INLINE qsizetype matchLinePrefix(QByteArrayView v, qsizetype p, LineContext &ctx)
{
    qsizetype at = kUndecided;
#ifdef __SSE2__
    if (v.size() - p >= 32)
        at = matchPrefix32(v, p, ctx);
#endif
    if (at == kUndecided)
        at = matchPrefix(v, p, ctx);
    if (at < 0)
        ctx = {};
    return at;
}

// Where the line's prefix ends (at its "] "'s space), or -1 when it has none; ctx: whose line it is.
// "** 5 printk messages dropped ** [ 1.2] ..." and "foo login: [ 1.2] ..." keep their context.
Q_NEVER_INLINE qsizetype unusualPrefixEnd(QByteArrayView raw, LineContext &ctx)
{
    qsizetype start = 0;
    if (raw.size() >= 3 && raw[0] == '*' && raw[1] == '*' && raw[2] == ' ') { // raw.startsWith("** ")
        const qsizetype e = raw.indexOf(" printk messages dropped ** ");
        if (e > 0)
            start = e + 28;
    }
    qsizetype after = matchLinePrefix(raw, start, ctx);
    if (after < 0 && start == 0 && raw.size() > 8 && raw.front() != '['
        && std::memchr(raw.data(), '[', size_t(raw.size()))) {
        const qsizetype login = find(raw, " login: ");
        if (login >= 0)
            after = matchLinePrefix(raw, login + 8, ctx);
    }
    return after;
}

// unusualPrefixEnd() with the usual case, a line that starts with its prefix, in place.
Q_ALWAYS_INLINE qsizetype prefixEnd(QByteArrayView raw, LineContext &ctx)
{
    if (!raw.isEmpty() && raw[0] == '[') {
        const qsizetype after = matchLinePrefix(raw, 0, ctx);
        if (after >= 0)
            return after;
    }
    return unusualPrefixEnd(raw, ctx);
}

// Whether text holds c: memchr() without its call, for the short texts of a line.
bool holdsByte(QByteArrayView text, char c)
{
    const char *p = text.data();
    const qsizetype n = text.size();
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i wanted = _mm_set1_epi8(c);
        for (qsizetype i = 0;; i += 16) {
            const qsizetype at = std::min(i, n - 16); // the last block ends at the end of text
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + at));
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, wanted)))
                return true;
            if (at == n - 16)
                return false;
        }
    }
#endif
    for (qsizetype i = 0; i < n; ++i) {
        if (p[i] == c)
            return true;
    }
    return false;
}

// Whether text holds "<EOI>" (where an interrupt's stack ends, in a trace). The questionable frames
// asked about hold no '<' at all, which holdsByte() sees sooner than find() looks for the whole text.
bool holdsEoi(QByteArrayView text)
{
    return holdsByte(text, '<') && contains(text, "<EOI>");
}

bool endsWithUnreliable(QByteArrayView text)
{
    constexpr char kUnreliable[] = " (unreliable)";
    constexpr size_t length = sizeof kUnreliable - 1;
    return size_t(text.size()) >= length
        && std::memcmp(text.data() + text.size() - qsizetype(length), kUnreliable, length) == 0;
}

} // namespace

ParsedLine parseAnyLine(QByteArrayView raw, bool mayHoldQuestionMark)
{
    ParsedLine pl;
    if (raw.endsWith('\r'))
        raw.chop(1);
    pl.raw = raw;
    const qsizetype after = prefixEnd(raw, pl.context);
    if (after < 0) {
        pl.text = raw;
        pl.message = raw;
        return pl;
    }
    // The message starts after the prefix's "] " (syzkaller takes the first "] " of the line,
    // which is the same place unless a "login:" prompt came first).
    QByteArrayView text = raw.sliced(after + 1);
    pl.message = text;
    const char *q
        = mayHoldQuestionMark ? static_cast<const char *>(std::memchr(text.data(), '?', size_t(text.size()))) : nullptr;
    while (q) {
        const qsizetype at = q - text.data();
        if (at > 0 && at + 1 < text.size() && text[at - 1] == ' ' && text[at + 1] == ' ') {
            if (holdsEoi(text))
                break;
            pl.text = text.sliced(at + 1);
            pl.questionable = true;
            return pl;
        }
        q = static_cast<const char *>(std::memchr(q + 1, '?', size_t(text.size() - at - 1)));
    }
    if (endsWithUnreliable(text) && !holdsEoi(text)) {
        pl.text = text.first(text.size() - 13);
        pl.questionable = true;
        return pl;
    }
    pl.text = text;
    return pl;
}

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

quint64 scanLine(QByteArrayView line)
{
    return lineLiterals().find(line);
}

namespace {
// The number of report groups, looked up when first asked: a namespace-scope constant built
// every rule table when the program loaded (3.8 M instructions, about a millisecond), for every
// command of the CLI and for the GUI, whether it reads a log or not.
int groupCount()
{
    static const int count = int(rules::groups().size());
    return count;
}
} // namespace

quint64 headerMask()
{
    return (quint64(1) << groupCount()) - 1;
}

quint64 markerBit(LineMarker m)
{
    return quint64(1) << (groupCount() + int(m));
}

quint64 stackLiteralMask()
{
    constexpr int count = int(std::size(kStackLiterals));
    return ((quint64(1) << count) - 1) << (groupCount() + int(MarkCount));
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
