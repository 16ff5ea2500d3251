// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <string_view>
#include <cstring>
#include <vector>

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
    if (raw.startsWith("** ")) {
        const qsizetype e = raw.indexOf(" printk messages dropped ** ");
        if (e > 0)
            start = e + 28;
    }
    LineContext ctx;
    qsizetype after = matchPrefix(raw, start, ctx);
    if (after < 0 && start == 0 && raw.size() > 8 && raw.front() != '['
        && std::memchr(raw.data(), '[', size_t(raw.size()))) {
        const qsizetype login = raw.indexOf(" login: ");
        if (login >= 0)
            after = matchPrefix(raw, login + 8, ctx);
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
    if (text.endsWith(" (unreliable)") && !contains(text, "<EOI>")) {
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
    : m_literals(literals)
{
    Q_ASSERT(literals.size() <= 64);
    for (const QByteArray &l : literals) {
        Q_ASSERT(l.size() >= 4);
        // See find(): no literal may begin with two prefix characters.
        m_skipPrefix = m_skipPrefix && !(isPrefixChar(l[0]) && isPrefixChar(l[1]));
        quint32 w = 0;
        std::memcpy(&w, l.constData(), 4);
        m_prefixes << w;
        const quint32 h = hash(w);
        m_bits[h >> 6] |= quint64(1) << (h & 63);
    }
}

quint64 LiteralSet::find(QByteArrayView line) const
{
    quint64 found = 0;
    const char *p = line.data();
    const qsizetype n = line.size() - 3;
    // A line starts with a run of prefix characters (the timestamp and caller id). No literal
    // begins with two of them, so none can start before the run's last character: the search
    // starts there, which spares a third of a typical line.
    qsizetype from = 0;
    if (m_skipPrefix) {
        while (from < line.size() && isPrefixChar(p[from]))
            ++from;
        from = std::max<qsizetype>(0, from - 1);
    }
    for (qsizetype i = from; i < n; ++i) {
        quint32 w;
        std::memcpy(&w, p + i, 4);
        const quint32 h = hash(w);
        if (!(m_bits[h >> 6] & (quint64(1) << (h & 63))))
            continue;
        for (qsizetype k = 0; k < m_prefixes.size(); ++k) {
            if (m_prefixes[k] == w) {
                const QByteArray &l = m_literals[k];
                if (i + l.size() <= line.size() && std::memcmp(p + i, l.constData(), size_t(l.size())) == 0)
                    found |= quint64(1) << k;
            }
        }
    }
    return found;
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

InternedName &internedName(QByteArrayView text)
{
    thread_local QHash<QByteArray, InternedName> names;
    const auto it = names.find(QByteArray::fromRawData(text.data(), text.size()));
    if (it != names.end())
        return *it;
    if (names.size() > 100000)
        names.clear();
    return *names.insert(text.toByteArray(), InternedName {QString::fromLatin1(text), {}});
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
    while (p < n && isFuncChar(v[p]))
        ++p;
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
    while (p < n && isFuncChar(v[p]))
        ++p;
    if (p == f || p >= n || (v[p] != '.' && v[p] != '+'))
        return {};
    return v.sliced(f, p - f);
}

} // namespace kmr::kernellog::detail
