// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsdetails.h"
#include "kernellog/literalset.h"
#include "kernellog/oopsline.h"

#include <QtAlgorithms>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kmr::kernellog::detail {

namespace {

// The frame syntax's characters, one table look-up per byte: symbol characters, and hex digits'
// values (-1: not a hex digit).
constexpr std::array<bool, 256> kSymbolChar = [] {
    std::array<bool, 256> t {};
    for (int c = 0; c < 256; ++c)
        t[size_t(c)]
            = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    return t;
}();
constexpr std::array<qint8, 256> kHexDigit = [] {
    std::array<qint8, 256> t {};
    for (int c = 0; c < 256; ++c) {
        t[size_t(c)] = c >= '0' && c <= '9' ? qint8(c - '0')
            : c >= 'a' && c <= 'f'          ? qint8(c - 'a' + 10)
            : c >= 'A' && c <= 'F'          ? qint8(c - 'A' + 10)
                                            : qint8(-1);
    }
    return t;
}();

// Where the symbol characters from p on end: 16 bytes at a time where SSE2 is (every x86-64).
Q_ALWAYS_INLINE qsizetype symbolEnd(QByteArrayView v, qsizetype p)
{
    const qsizetype n = v.size();
#if defined(__SSE2__)
    const char *const s = v.data();
    for (; p + 16 <= n; p += 16) {
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + p));
        // x in [lo, lo + n) as one signed comparison: x - lo + 0x80 (wrapping) is below -128 + n
        // for those bytes only.
        const auto inRange = [](__m128i x, char lo, int n) {
            return _mm_cmpgt_epi8(
                _mm_set1_epi8(char(-128 + n)), _mm_add_epi8(x, _mm_set1_epi8(char(0x80 - uchar(lo)))));
        };
        const __m128i letter = inRange(_mm_or_si128(c, _mm_set1_epi8(0x20)), 'a', 26); // 'A'..'Z' | 0x20 too
        const __m128i digit = inRange(c, '0', 10);
        const __m128i other
            = _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('_')), _mm_cmpeq_epi8(c, _mm_set1_epi8('.')));
        const unsigned symbol = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), other)));
        if (symbol != 0xffff)
            return p + qCountTrailingZeroBits(~symbol);
    }
#endif
    while (p < n && kSymbolChar[uchar(v[p])])
        ++p;
    return p;
}

// The hex digits at p, read as QByteArrayView::toULongLong(16) reads them: 0 when they overflow
// 64 bits. Moves p past them; false when there are none.
Q_ALWAYS_INLINE bool readHex(QByteArrayView v, qsizetype &p, quint64 *out)
{
    const qsizetype n = v.size(), h = p;
    while (p < n && v[p] == '0')
        ++p;
    const qsizetype significant = p; // the first digit that is not 0
    quint64 value = 0;
    for (int d; p < n && (d = kHexDigit[uchar(v[p])]) >= 0; ++p)
        value = value << 4 | quint64(d);
    *out = p - significant > 16 ? 0 : value;
    return p > h;
}

// Moves p past the hex digits at p, as readHex() does, without reading their value; false when
// there are none.
Q_ALWAYS_INLINE bool skipHex(QByteArrayView v, qsizetype &p)
{
    const qsizetype n = v.size(), h = p;
    while (p < n && kHexDigit[uchar(v[p])] >= 0)
        ++p;
    return p > h;
}

// "func+0x1a/0x30 [mod]" starting at p. Returns false when there is no such thing at p.
// Offsets false: the offset and size are left 0 (their digits are only skipped: reading their
// values is a third of reading a frame line, and a listing does not print them).
template<bool Offsets = true> Q_ALWAYS_INLINE bool parseSymbolAt(QByteArrayView v, qsizetype p, Symbol *sym)
{
    const qsizetype n = v.size();
    const qsizetype s = p;
    p = symbolEnd(v, p);
    if (p == s || p + 3 >= n || v[p] != '+' || v[p + 1] != '0' || v[p + 2] != 'x')
        return false;
    // (Written in place: a caller uses *sym only when this returns true, and then every field is set.)
    Symbol &out = *sym;
    out.name = v.sliced(s, p - s);
    p += 3;
    out.size = 0;
    if constexpr (Offsets) {
        if (!readHex(v, p, &out.offset))
            return false;
    } else {
        out.offset = 0;
        if (!skipHex(v, p))
            return false;
    }
    out.module = {};
    if (p + 3 < n && v[p] == '/' && v[p + 1] == '0' && v[p + 2] == 'x') {
        p += 3;
        if constexpr (Offsets)
            readHex(v, p, &out.size);
        else
            skipHex(v, p);
    }
    if (p + 2 < n && v[p] == ' ' && v[p + 1] == '[') {
        const qsizetype close = v.indexOf(']', p + 2);
        if (close > p + 2) {
            // "[kmr_initoops]" or "[kmr_initoops 1234abcd...]" (with a build id).
            QByteArrayView mod = v.sliced(p + 2, close - p - 2);
            const qsizetype sp = mod.indexOf(' ');
            if (sp > 0)
                mod = mod.first(sp);
            out.module = mod;
        }
    }
    return true;
}

QString moduleName(QByteArrayView module)
{
    return module.isEmpty() ? QString() : internLatin1(module);
}

// Where "Tainted: " starts in v, or -1 ('T' is rare in a report's lines: memchr skips to it).
qsizetype findTainted(QByteArrayView v)
{
    constexpr QByteArrayView needle("Tainted: ");
    if (v.size() < needle.size())
        return -1;
    const char *const begin = v.data();
    const char *p = begin;
    const char *const last = begin + v.size() - needle.size(); // the last place it may start
    while (p <= last) {
        p = static_cast<const char *>(std::memchr(p, 'T', size_t(last - p + 1)));
        if (!p)
            return -1;
        if (std::memcmp(p + 1, needle.data() + 1, size_t(needle.size() - 1)) == 0)
            return p - begin;
        ++p;
    }
    return -1;
}

// The words of v, split at ' ' (empty ones left out), to f, until f returns false.
template<typename F> void forEachWord(QByteArrayView v, F &&f)
{
    for (qsizetype p = 0; p < v.size();) {
        const char *sp = static_cast<const char *>(std::memchr(v.data() + p, ' ', size_t(v.size() - p)));
        const qsizetype end = sp ? sp - v.data() : v.size();
        if (end > p && !f(v.sliced(p, end - p)))
            return;
        p = end + 1;
    }
}

// The taint letters of a line with "Tainted: " at t.
QString taintFromCpuLine(QByteArrayView v, qsizetype t)
{
    if ((t >= 4 && v.sliced(t - 4, 4) == "Not "))
        return {};
    QByteArrayView rest = v.sliced(t + 9);
    // 6.12 prints the letters decoded: "Tainted: [W]=WARN, [O]=OOT_MODULE".
    if (rest.startsWith('[')) {
        QString letters;
        qsizetype p = 0;
        while ((p = rest.indexOf('[', p)) >= 0 && p + 2 < rest.size()) {
            if (rest[p + 2] == ']')
                letters += QLatin1Char(rest[p + 1]);
            p += 3;
        }
        return letters;
    }
    // "G        W  O      6.1.0 #1": the words of capitals up to the first other one.
    QString letters;
    forEachWord(rest, [&letters](QByteArrayView word) {
        for (const char c : word) {
            if (c < 'A' || c > 'Z')
                return false;
        }
        letters += QLatin1StringView(word);
        return true;
    });
    if (letters.startsWith(QLatin1Char('G')))
        letters.remove(0, 1); // G: only GPL modules, the absence of P, not a taint
    return letters;
}

QStringList modulesFrom(QByteArrayView v)
{
    QStringList mods;
    const qsizetype last = v.indexOf("[last unloaded");
    if (last >= 0)
        v = v.first(last);
    forEachWord(v, [&mods](QByteArrayView tok) {
        const qsizetype paren = tok.indexOf('(');
        if (paren >= 0)
            tok = tok.first(paren);
        tok = tok.trimmed();
        if (!tok.isEmpty())
            mods << QString::fromLatin1(tok);
        return true;
    });
    return mods;
}

// Where a faulting IP is printed: "RIP: 0010:func+0x..", "PC is at func+..", "pc : func+..".
bool faultingFromRipLine(QByteArrayView v, Symbol *sym)
{
    qsizetype p = -1;
    switch (v.isEmpty() ? 0 : v.front()) { // most lines start with none of these letters
    case 'R':
    case 'E':
        if (hasPrefix(v, "RIP: ") || hasPrefix(v, "EIP: ")) {
            p = 5;
            const qsizetype colon = v.indexOf(':', p);
            if (colon > 0 && colon < p + 6)
                p = colon + 1;
        }
        break;
    case 'P':
        if (hasPrefix(v, "PC is at "))
            p = 9;
        break;
    case 'p':
        if (hasPrefix(v, "pc : ")) {
            p = 5;
            if (v.size() > p && v[p] == '[') {
                const qsizetype close = v.indexOf("] ", p);
                p = close > 0 ? close + 2 : p;
            }
        }
        break;
    case 'N':
        if (hasPrefix(v, "NIP: ") || hasPrefix(v, "NIP [")) {
            const qsizetype close = v.indexOf("] ");
            p = close > 0 ? close + 2 : -1;
        }
        break;
    default:
        break;
    }
    return p >= 0 && parseSymbolAt(v, p, sym);
}

// Where the "] " closing a "[<ffffffff81234567>]" at p is: at most 24 bytes on (-1 when not).
qsizetype pcEnd(QByteArrayView v, qsizetype p)
{
    const qsizetype last = std::min(p + 24, v.size() - 2); // the last place "] " may start
    for (qsizetype at = p; at <= last; ++at) {
        const void *close = std::memchr(v.data() + at, ']', size_t(last - at + 1));
        if (!close)
            return -1;
        at = static_cast<const char *>(close) - v.data();
        if (v[at + 1] == ' ')
            return at;
    }
    return -1;
}

template<bool Offsets> Q_ALWAYS_INLINE bool readFrame(QByteArrayView v, FrameAt *out)
{
    qsizetype p = 0;
    const qsizetype n = v.size();
    while (p < n && v[p] == ' ')
        ++p;
    for (int pcs = 0; pcs < 2 && p < n && v[p] == '['; ++pcs) {
        const qsizetype close = pcEnd(v, p);
        if (close < 0)
            return false;
        p = close + 2;
    }
    const bool questionable = p + 1 < n && v[p] == '?' && v[p + 1] == ' ';
    if (questionable)
        p += 2;
    if (!parseSymbolAt<Offsets>(v, p, &out->symbol))
        return false;
    out->questionable = questionable;
    return true;
}

// The frame named like the title's frame ("f" or "f.isra.0"), not a "? " one; -1 when none is.
// Whether a frame's (Latin-1) name is the title's frame, or it with a suffix (".isra.0").
bool namesTitleFrame(QByteArrayView name, QStringView titleFrame)
{
    const qsizetype n = titleFrame.size();
    if (name.size() < n || (name.size() > n && name[n] != '.'))
        return false;
    for (qsizetype i = 0; i < n; ++i) {
        if (char16_t(uchar(name[i])) != titleFrame[i].unicode())
            return false;
    }
    return true;
}

qsizetype frameNamed(std::span<const FrameAt> frames, QStringView titleFrame)
{
    for (qsizetype i = 0; i < qsizetype(frames.size()); ++i) {
        if (!frames[size_t(i)].questionable && namesTitleFrame(frames[size_t(i)].symbol.name, titleFrame))
            return i;
    }
    return -1;
}

// text.lastIndexOf(needle) for a needle of 4 bytes that starts with a space (" at ", " in "),
// without the out-of-line call that costs more than this walk on a header line.
qsizetype lastIndexOfSpaced(QByteArrayView text, const char (&word)[5])
{
    for (qsizetype p = text.size() - 4; p >= 0; --p) {
        if (text[p] == ' ' && std::memcmp(text.data() + p, word, 4) == 0)
            return p;
    }
    return -1;
}

// The first frame that is not a "? " one; -1 when none is.
qsizetype firstSureFrame(std::span<const FrameAt> frames)
{
    for (qsizetype i = 0; i < qsizetype(frames.size()); ++i) {
        if (!frames[size_t(i)].questionable)
            return i;
    }
    return -1;
}

// "WARNING: CPU: 0 PID: 1 at drivers/x.c:12 func+0x1a/0x30 [mod]", "BUG: KASAN: ... in func+0x..".
bool faultingFromHeader(const QByteArray &header, Symbol *sym)
{
    qsizetype p = lastIndexOfSpaced(header, " at ");
    if (!header.startsWith("WARNING") || p < 0)
        p = lastIndexOfSpaced(header, " in ");
    if (p < 0)
        return false;
    const qsizetype sp = header.indexOf(' ', p + 4);
    const qsizetype start = header.startsWith("WARNING") && sp > 0 ? sp + 1 : p + 4;
    return parseSymbolAt(header, start, sym);
}

// a == b without an out-of-line call (QByteArrayView's == makes one even for two empty views).
bool sameBytes(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && (a.isEmpty() || std::memcmp(a.data(), b.data(), size_t(a.size())) == 0);
}

// The frame's fields but for its names.
void setFrame(OopsFrame &f, const FrameAt &at)
{
    f.offset = at.symbol.offset;
    f.size = at.symbol.size;
    f.questionable = at.questionable;
    f.line = at.line;
}

// e.frames from the parsed frames: one allocation, and one name look-up per run of frames of
// the same module (a trace is mostly vmlinux's or one module's frames in a row).
void storeFrames(OopsExcerpt &e, std::span<const FrameAt> frames, bool frameNames)
{
    e.frames.resize(qsizetype(frames.size())); // (one pass of empty frames, then each filled in)
    OopsFrame *f = e.frames.data();
    QByteArrayView lastModule;
    QString lastModuleName;
    for (const FrameAt &at : frames) {
        setFrame(*f, at);
        if (frameNames)
            f->function = internLatin1(at.symbol.name);
        if (!at.symbol.module.isEmpty()) {
            if (!sameBytes(at.symbol.module, lastModule)) {
                lastModule = at.symbol.module;
                lastModuleName = internLatin1(lastModule);
            }
            f->module = lastModuleName;
        }
        ++f;
    }
}

} // namespace

// Each place the title's ' ' is, 8 characters at a time where SSE2 is, compared with " in " as
// one 64-bit word (QString's search for a 4-character text, or one call per ' ', costs more on a
// title of tens of characters).
InPositions inPositions(QStringView title)
{
    InPositions in;
    const char16_t *const s = title.utf16();
    const qsizetype n = title.size();
    const auto at = [&in, s](qsizetype i) {
        constexpr quint64 kIn = quint64(u' ') | quint64(u'i') << 16 | quint64(u'n') << 32 | quint64(u' ') << 48;
        if (qFromUnaligned<quint64>(s + i) == kIn) {
            in.first = in.first < 0 ? i : in.first;
            in.last = i;
        }
    };
    qsizetype p = 0;
#if defined(__SSE2__)
    for (; p + 11 <= n; p += 8) { // (a " in " at any of the 8 places ends before n)
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + p));
        for (unsigned spaces = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi16(c, _mm_set1_epi16(' ')))) & 0x5555; spaces;
             spaces &= spaces - 1)
            at(p + qCountTrailingZeroBits(spaces) / 2);
    }
#endif
    for (; p + 4 <= n; ++p)
        at(p);
    return in;
}

bool isTaskEndTrimmed(QByteArrayView t)
{
    const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }; // trimmed()'s
    qsizetype b = 0, e = t.size();
    while (b < e && space(t[b]))
        ++b;
    if (b == e || t[b] != '<') // (most lines: a frame or a word)
        return false;
    while (e > b && space(t[e - 1]))
        --e;
    return t.sliced(b, e - b) == "</TASK>";
}

template<bool Offsets> void DetailLines::readAll(const Other *lines, size_t count)
{
    // Each line is read into the next free frame and the next free other line, and the one it
    // turns out to be is kept (readFrame() sets all a frame's fields when it is one): nothing is
    // read on the side and copied, and there is no capacity check per line. The buffers only
    // grow: the frames of an excerpt before are not constructed again.
    if (m_frames.size() < count) {
        m_frames.resize(count);
        m_others.resize(count);
    }
    FrameAt *frame = m_frames.data();
    Other *other = m_others.data();
    for (const Other *l = lines; l != lines + count; ++l) {
        if (readFrame<Offsets>(l->message, frame)) {
            frame->line = l->line;
            ++frame;
        } else {
            *other++ = *l;
        }
    }
    m_frameCount = size_t(frame - m_frames.data());
    m_otherCount = size_t(other - m_others.data());
}

void DetailLines::read(const Other *lines, size_t count, bool offsets)
{
    if (offsets)
        readAll<true>(lines, count);
    else
        readAll<false>(lines, count);
}

void fillDetails(OopsExcerpt &e, const DetailLines &lines, QStringView titleFrame, bool frameNames)
{
    const std::span<const FrameAt> frames = lines.frames();
    Symbol fault;
    bool haveFault = false;
    for (const DetailLines::Other &l : lines.others()) {
        const QByteArrayView v = l.message;
        if (!haveFault)
            haveFault = faultingFromRipLine(v, &fault);
        if (e.taint.isEmpty()) {
            const qsizetype t = findTainted(v);
            if (t >= 0)
                e.taint = taintFromCpuLine(v, t);
        }
        if (e.modulesLinkedIn.isEmpty() && hasPrefix(v, "Modules linked in:"))
            e.modulesLinkedIn = modulesFrom(v.sliced(18));
    }
    if (!haveFault && !titleFrame.isEmpty()) {
        // A hung task or a stall has no faulting IP: the frame its title names is the suspect.
        const qsizetype i = frameNamed(frames, titleFrame);
        if (i >= 0) {
            fault = frames[size_t(i)].symbol;
            haveFault = true;
        }
    }
    const QByteArray header = haveFault ? QByteArray() : e.header.toUtf8(); // fault's views may point into it
    if (!haveFault)
        haveFault = faultingFromHeader(header, &fault);
    if (!haveFault) {
        const qsizetype i = firstSureFrame(frames);
        if (i >= 0) {
            fault = frames[size_t(i)].symbol;
            haveFault = true;
        }
    }
    if (haveFault) {
        e.faultingFunction = internLatin1(fault.name);
        e.faultingModule = moduleName(fault.module);
    }
    storeFrames(e, frames, frameNames);
}

} // namespace kmr::kernellog::detail
