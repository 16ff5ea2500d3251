// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsregex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <utility>

namespace kmr::kernellog::detail {

bool Subject::isAscii() const
{
    if (m_ascii < 0) {
        // A byte >= 0x80 sets a high bit: the bytes are or-ed together, 64 at a time (SSE2), then
        // eight at a time, then one by one.
        const char *p = m_bytes.data();
        const qsizetype n = m_bytes.size();
        quint64 high = 0;
        qsizetype i = 0;
#ifdef __SSE2__
        const auto load = [p](qsizetype at) { return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + at)); };
        __m128i any = _mm_setzero_si128();
        for (; i + 64 <= n; i += 64)
            any = _mm_or_si128(
                any, _mm_or_si128(_mm_or_si128(load(i), load(i + 16)), _mm_or_si128(load(i + 32), load(i + 48))));
        for (; i + 16 <= n; i += 16)
            any = _mm_or_si128(any, load(i));
        high = _mm_movemask_epi8(any) ? 0x80 : 0;
#endif
        for (; i + 8 <= n; i += 8) {
            quint64 w;
            std::memcpy(&w, p + i, 8);
            high |= w;
        }
        for (; i < n; ++i)
            high |= quint64(uchar(p[i]));
        m_ascii = (high & 0x8080808080808080ull) == 0 ? 1 : 0;
    }
    return m_ascii == 1;
}

const QString &Subject::utf16() const
{
    if (!m_converted) {
        m_utf16 = QString::fromUtf8(m_bytes);
        m_converted = true;
    }
    return m_utf16;
}

struct Regex::State {
    QRegularExpression qt;
    std::once_flag compiled;
    // Set once compile() is done. std::call_once() (libstdc++) writes two thread-local pointers
    // and calls pthread_once() at every call; after the first, this flag alone is read.
    std::atomic<bool> ready {false};
    pcre2_code_8 *code = nullptr; // null when the 8-bit library cannot take the pattern
    bool jit = true; // JIT compile code
    bool jitted = false; // code was JIT compiled
    ~State() { pcre2_code_free_8(code); }

    // The pattern for the 8-bit library, with the options QRegularExpression compiles it with
    // (UTF always; the rest from patternOptions()).
    void compile()
    {
        static const std::pair<QRegularExpression::PatternOption, uint32_t> kOptions[] = {
            {QRegularExpression::CaseInsensitiveOption, PCRE2_CASELESS},
            {QRegularExpression::DotMatchesEverythingOption, PCRE2_DOTALL},
            {QRegularExpression::MultilineOption, PCRE2_MULTILINE},
            {QRegularExpression::ExtendedPatternSyntaxOption, PCRE2_EXTENDED},
            {QRegularExpression::InvertedGreedinessOption, PCRE2_UNGREEDY},
            {QRegularExpression::DontCaptureOption, PCRE2_NO_AUTO_CAPTURE},
            {QRegularExpression::UseUnicodePropertiesOption, PCRE2_UCP},
        };
        uint32_t options = PCRE2_UTF;
        for (const auto &[option, flag] : kOptions) {
            if (qt.patternOptions() & option)
                options |= flag;
        }
        const QByteArray pattern = qt.pattern().toUtf8();
        int error = 0;
        PCRE2_SIZE offset = 0;
        code = pcre2_compile_8(reinterpret_cast<PCRE2_SPTR8>(pattern.constData()), PCRE2_SIZE(pattern.size()), options,
            &error, &offset, nullptr);
        uint32_t groups = 0;
        if (code && (pcre2_pattern_info_8(code, PCRE2_INFO_CAPTURECOUNT, &groups) != 0 || groups >= kMaxGroups)) {
            pcre2_code_free_8(code); // more groups than the shared match data holds
            code = nullptr;
        }
        if (code && jit) // when it fails, the interpreter runs
            jitted = pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE) == 0;
    }
    static constexpr uint32_t kMaxGroups = 64;
};

Regex::Regex(const QString &pattern, Jit jit)
    : m_state(std::make_shared<State>())
{
    m_state->jit = jit == Jit::Yes;
    m_state->qt.setPattern(pattern);
}

QString Regex::pattern() const
{
    return m_state ? m_state->qt.pattern() : QString();
}

namespace {

// The UTF-16 length of valid UTF-8: a unit for each character, two for one of 4 bytes.
qsizetype utf16Length(QByteArrayView utf8)
{
    qsizetype n = 0;
    for (const char c : utf8)
        n += (uchar(c) & 0xc0) != 0x80 ? (uchar(c) >= 0xf0 ? 2 : 1) : 0;
    return n;
}

} // namespace

int Regex::runBytes(const Subject &subject, const size_t **ovector) const
{
    State &s = *m_state;
    if (!s.ready.load(std::memory_order_acquire)) {
        std::call_once(s.compiled, [&s] {
            s.compile();
            s.ready.store(true, std::memory_order_release);
        });
    }
    if (!s.code)
        return 0;
    struct Data {
        pcre2_match_data_8 *d = pcre2_match_data_create_8(State::kMaxGroups, nullptr);
        ~Data() { pcre2_match_data_free_8(d); }
    };
    thread_local Data data;
    const QByteArrayView b = subject.bytes();
    // ASCII is valid UTF-8: the check PCRE2 would make is spared. Other text is checked: the
    // same pattern on the same characters gives the same match as QRegularExpression on the
    // UTF-16 conversion, and text that is not UTF-8 is left to QRegularExpression (which sees
    // replacement characters in it).
    // On ASCII text JIT compiled code runs through pcre2_jit_match(), which pcre2_match() calls
    // too once its checks pass: the same answer, without the checks (which, the UTF one
    // included, must not be skipped on other text).
    const bool ascii = subject.isAscii();
    const auto bytes = reinterpret_cast<PCRE2_SPTR8>(b.isEmpty() ? "" : b.data());
    const int rc = ascii && s.jitted
        ? pcre2_jit_match_8(s.code, bytes, PCRE2_SIZE(b.size()), 0, PCRE2_NO_UTF_CHECK, data.d, nullptr)
        : pcre2_match_8(s.code, bytes, PCRE2_SIZE(b.size()), 0, ascii ? PCRE2_NO_UTF_CHECK : 0, data.d, nullptr);
    *ovector = pcre2_get_ovector_pointer_8(data.d);
    return rc;
}

qsizetype Regex::match(const Subject &subject, QStringList *captures) const
{
    if (!m_state)
        return -1;
    const PCRE2_SIZE *ov = nullptr;
    const int rc = runBytes(subject, &ov);
    if (rc == PCRE2_ERROR_NOMATCH)
        return -1;
    if (rc > 0) {
        const QByteArrayView b = subject.bytes();
        const bool ascii = subject.isAscii();
        if (captures) {
            for (size_t i = 1; i < size_t(rc); ++i) {
                const PCRE2_SIZE begin = ov[2 * i], end = ov[2 * i + 1];
                const QByteArrayView c
                    = begin == PCRE2_UNSET ? QByteArrayView() : b.sliced(qsizetype(begin), qsizetype(end - begin));
                captures->append(begin == PCRE2_UNSET ? QString()
                        : ascii                       ? QString::fromLatin1(c)
                                                      : QString::fromUtf8(c));
            }
        }
        return ascii ? qsizetype(ov[0]) : utf16Length(b.first(qsizetype(ov[0])));
    }
    // Any other answer (the 8-bit library cannot take the pattern, text that is not UTF-8, a
    // JIT stack or match limit reached): QRegularExpression decides, as before.
    return matchText(subject.utf16(), captures);
}

qsizetype Regex::matchAscii(const Subject &subject, Views *captures) const
{
    if (!m_state)
        return -1;
    if (!subject.isAscii())
        return kUnanswered;
    const PCRE2_SIZE *ov = nullptr;
    const int rc = runBytes(subject, &ov);
    if (rc == PCRE2_ERROR_NOMATCH)
        return -1;
    if (rc <= 0)
        return kUnanswered;
    const QByteArrayView b = subject.bytes();
    for (size_t i = 1; i < size_t(rc); ++i) {
        const PCRE2_SIZE begin = ov[2 * i], end = ov[2 * i + 1];
        captures->append(begin == PCRE2_UNSET ? QByteArrayView() : b.sliced(qsizetype(begin), qsizetype(end - begin)));
    }
    return qsizetype(ov[0]);
}

qsizetype Regex::matchText(const QString &text, QStringList *captures) const
{
    if (!m_state)
        return -1;
    // Texts made by QString::fromUtf8() or fromLatin1() hold no invalid UTF-16: the check
    // QRegularExpression would make is spared.
    const QRegularExpressionMatch m = m_state->qt.match(
        text, 0, QRegularExpression::NormalMatch, QRegularExpression::DontCheckSubjectStringMatchOption);
    if (!m.hasMatch())
        return -1;
    if (captures) {
        for (int i = 1; i <= m.lastCapturedIndex(); ++i)
            captures->append(m.captured(i));
    }
    return m.capturedStart();
}

bool isRegexSpecial(char c)
{
    return QByteArrayView("\\^$.|?*+()[]{}").contains(c);
}

QList<QByteArray> requiredLiterals(QByteArrayView pat, qsizetype minSize)
{
    QList<QByteArray> out;
    if (pat.contains("(?i"))
        return out;
    QByteArray run;
    const auto endRun = [&] {
        if (run.size() >= minSize)
            out << run;
        run.clear();
    };
    int depth = 0;
    for (qsizetype i = 0; i < pat.size(); ++i) {
        const char c = pat[i];
        const char next = i + 1 < pat.size() ? pat[i + 1] : '\0';
        if (c == '[') { // a class: one character of a set, never literal text
            endRun();
            for (++i; i < pat.size() && pat[i] != ']'; ++i)
                i += pat[i] == '\\' ? 1 : 0;
            continue;
        }
        if (c == '{') { // a "{{FUNC}}" placeholder, or a quantifier's "{0,2}"
            endRun();
            const qsizetype close = pat.indexOf(next == '{' ? "}}" : "}", i);
            if (close < 0)
                return {};
            i = close + (next == '{' ? 1 : 0);
            continue;
        }
        if (c == '(' || c == ')') {
            endRun();
            depth += c == '(' ? 1 : -1;
            continue;
        }
        if (c == '|' && depth == 0)
            return {};
        if (depth > 0)
            continue;
        char literal = 0;
        qsizetype width = 1;
        if (c == '\\') {
            if (next && !std::isalnum(static_cast<unsigned char>(next)))
                literal = next; // "\\." is a dot; "\\n", "\\w", "\\d" are not literal text here
            width = 2;
        } else if (!isRegexSpecial(c)) {
            literal = c;
        }
        const char after = i + width < pat.size() ? pat[i + width] : '\0';
        if (!literal) {
            endRun();
        } else if (after == '?' || after == '*' || after == '{') {
            endRun(); // may be absent
        } else {
            run += literal;
            if (after == '+')
                endRun(); // present, but what follows need not be next to it
        }
        i += width - 1;
    }
    endRun();
    return out;
}

namespace {

// Whether splitting the pattern, or reading required texts from it, could change its meaning:
// an option setting or assertion group ("(?i)", "(?=...)": anything but "(?:"), a quoted "\\Q"
// text, or an escape that stands for a character or a group ("\\x41", "\\1", "\\p{L}"). The
// character types "\\d", "\\w", "\\s" and "\\b" are harmless.
bool mustStayWhole(QByteArrayView pattern)
{
    for (qsizetype i = 0; i + 1 < pattern.size(); ++i) {
        const char c = pattern[i];
        const char next = pattern[i + 1];
        if (c == '(' && next == '?' && (i + 2 >= pattern.size() || pattern[i + 2] != ':'))
            return true;
        if (c == '\\') {
            if (std::isalnum(static_cast<unsigned char>(next)) && !QByteArrayView("dDwWsSbB").contains(next))
                return true;
            ++i; // the escaped character is not looked at again
        }
    }
    return false;
}

// Where the class that starts at pattern[open] ('[') ends: the index of its ']'.
qsizetype classEnd(QByteArrayView pattern, qsizetype open)
{
    qsizetype i = open + 1;
    if (i < pattern.size() && pattern[i] == '^')
        ++i;
    if (i < pattern.size() && pattern[i] == ']')
        ++i; // a ']' first in the class is one of its characters
    for (; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') {
            ++i;
        } else if (pattern[i] == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
            const qsizetype close = pattern.indexOf(":]", i + 2);
            if (close >= 0)
                i = close + 1; // a POSIX class such as "[:space:]"
        }
    }
    return i;
}

// Where the group that starts at pattern[open] ('(') ends: the index of its ')', or -1.
qsizetype groupEnd(QByteArrayView pattern, qsizetype open)
{
    int depth = 0;
    for (qsizetype i = open; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\')
            ++i;
        else if (c == '[')
            i = classEnd(pattern, i);
        else if (c == '(')
            ++depth;
        else if (c == ')' && --depth == 0)
            return i;
    }
    return -1;
}

// The texts of a group's body "a|b|c", escaped punctuation read as itself; none when an
// alternative holds anything else (a class, a quantifier, a character type) or is shorter than
// minSize.
QList<QByteArray> plainAlternatives(QByteArrayView body, qsizetype minSize)
{
    QList<QByteArray> out;
    QByteArray text;
    for (qsizetype i = 0; i <= body.size(); ++i) {
        if (i == body.size() || body[i] == '|') {
            if (text.size() < minSize)
                return {};
            out << text;
            text.clear();
            continue;
        }
        char c = body[i];
        if (c == '\\') {
            if (i + 1 == body.size() || std::isalnum(static_cast<unsigned char>(body[i + 1])))
                return {};
            c = body[++i];
        } else if (isRegexSpecial(c) || uchar(c) >= 0x80) {
            return {}; // (an ASCII text is in the bytes exactly when it is in their conversion)
        }
        if (i + 1 < body.size() && QByteArrayView("?*+{").contains(body[i + 1]))
            return {}; // a quantified character is not plain text
        text += c;
    }
    return out;
}

} // namespace

QList<QList<QByteArray>> requiredAlternatives(QByteArrayView pattern, qsizetype minSize)
{
    QList<QList<QByteArray>> out;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            ++i;
        } else if (c == '[') {
            i = classEnd(pattern, i);
        } else if (c == '|' || c == ')') {
            return {}; // a top-level alternative (or a stray ')'): nothing is required
        } else if (c == '(') {
            const qsizetype close = groupEnd(pattern, i);
            if (close < 0)
                return {};
            QByteArrayView body = pattern.sliced(i + 1, close - i - 1);
            const char after = close + 1 < pattern.size() ? pattern[close + 1] : '\0';
            i = close;
            if (body.startsWith("?:"))
                body = body.sliced(2);
            if (after == '?' || after == '*' || after == '{' || body.startsWith('?'))
                continue; // optional, or not a plain group
            const QList<QByteArray> texts = plainAlternatives(body, minSize);
            if (!texts.isEmpty())
                out << texts;
        }
    }
    // Checked last, over the whole pattern: an option or assertion group anywhere.
    for (qsizetype at = pattern.indexOf("(?"); at >= 0; at = pattern.indexOf("(?", at + 1)) {
        if (at + 2 >= pattern.size() || pattern[at + 2] != ':')
            return {};
    }
    return out;
}

int maxLinesSpanned(QByteArrayView pattern)
{
    const auto repeated
        = [&](qsizetype after) { return after < pattern.size() && QByteArrayView("*+{").contains(pattern[after]); };
    int newlines = 0;
    QVarLengthArray<bool, 8> groups; // for each group open here: whether it holds a "\\n"
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            if (i + 1 == pattern.size())
                return 0;
            const char e = pattern[++i];
            if (e == 'n') {
                if (repeated(i + 1))
                    return 0;
                ++newlines;
                if (!groups.isEmpty())
                    groups.last() = true;
            } else if (std::isalnum(static_cast<unsigned char>(e)) && e != 'd' && e != 'w') {
                return 0; // a character type or assertion that may take or look at a line end
            }
        } else if (c == '[') {
            const qsizetype end = classEnd(pattern, i);
            const QByteArrayView body = pattern.sliced(i + 1, std::max<qsizetype>(0, end - i - 1));
            const bool control = std::any_of(body.begin(), body.end(), [](char b) { return uchar(b) < 0x20; });
            if (end >= pattern.size() || body.startsWith('^') || body.contains("[:") || control)
                return 0; // negated, a named class, or a control character (a range could hold '\n')
            for (qsizetype k = 0; k + 1 < body.size(); ++k) {
                if (body[k] == '\\' && std::isalnum(static_cast<unsigned char>(body[k + 1])) && body[k + 1] != 'd'
                    && body[k + 1] != 'w')
                    return 0;
                k += body[k] == '\\' ? 1 : 0;
            }
            i = end;
        } else if (c == '(') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '?' && (i + 2 >= pattern.size() || pattern[i + 2] != ':'))
                return 0;
            groups.append(false);
        } else if (c == ')') {
            if (groups.isEmpty())
                return 0;
            const bool held = groups.last();
            groups.removeLast();
            if (held && repeated(i + 1))
                return 0;
            if (held && !groups.isEmpty())
                groups.last() = true;
        } else if (c == '$' || c == '\n') {
            return 0;
        }
    }
    return groups.isEmpty() ? 1 + newlines : 0;
}

QStringList topLevelAlternatives(const QString &pattern)
{
    const QByteArray bytes = pattern.toUtf8();
    if (mustStayWhole(bytes))
        return {pattern};
    QStringList out;
    qsizetype from = 0;
    int depth = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\\')
            ++i;
        else if (c == '[')
            i = classEnd(bytes, i);
        else if (c == '(' || c == ')')
            depth += c == '(' ? 1 : -1;
        else if (c == '|' && depth == 0) {
            out << QString::fromUtf8(bytes.sliced(from, i - from));
            from = i + 1;
        }
    }
    out << QString::fromUtf8(bytes.sliced(from));
    return out;
}

PatternSet::PatternSet(const QStringList &patterns)
    : m_bucketStart(kBuckets + 1, 0)
{
    if (patterns.isEmpty())
        return;
    m_all = Regex(patterns.size() == 1 ? patterns.first()
                                       : QStringLiteral("(?:") + patterns.join(QStringLiteral(")|(?:")) + u')');
    for (const QString &p : patterns) {
        for (const QString &alternative : topLevelAlternatives(p))
            addAlternative(alternative);
    }
    // Grouped by bucket, each bucket's start counted.
    std::stable_sort(m_literals.begin(), m_literals.end(), [](const Literal &a, const Literal &b) {
        return bucketOf(a.text[0], a.text[1]) < bucketOf(b.text[0], b.text[1]);
    });
    Q_ASSERT(m_literals.size() < 0xffff);
    for (const Literal &l : m_literals)
        ++m_bucketStart[bucketOf(l.text[0], l.text[1]) + 1];
    for (uint b = 0; b < kBuckets; ++b)
        m_bucketStart[b + 1] += m_bucketStart[b];
}

void PatternSet::addAlternative(const QString &alternative)
{
    const QByteArray bytes = alternative.toUtf8();
    Literal l;
    QByteArrayView body(bytes);
    l.atStart = body.startsWith('^');
    body = body.sliced(l.atStart ? 1 : 0);
    l.atEnd = body.endsWith('$');
    body.chop(l.atEnd ? 1 : 0);
    // Printable ASCII with no character of its own meaning: the text itself, as bytes. (A '$' that
    // was escaped left a '\\' in the body.)
    const bool plain = body.size() >= 2
        && std::all_of(body.begin(), body.end(), [](char c) { return c >= 0x20 && c < 0x7f && !isRegexSpecial(c); });
    if (plain) {
        l.text = body.toByteArray();
        m_literals.push_back(l);
        return;
    }
    const int index = int(m_patterns.size());
    m_patterns << Regex(alternative, Regex::Jit::No); // run once per new name at most
    const QList<QByteArray> required = mustStayWhole(bytes) ? QList<QByteArray>() : requiredLiterals(bytes, 2);
    if (required.isEmpty()) {
        m_unguarded << index;
        return;
    }
    // The longest required text is the rarest, most likely.
    const QByteArray &guard = *std::max_element(
        required.begin(), required.end(), [](const QByteArray &a, const QByteArray &b) { return a.size() < b.size(); });
    m_literals.push_back({guard, false, false, index});
}

bool PatternSet::scan(QByteArrayView text, QVarLengthArray<int, 8> &guarded) const
{
    const char *p = text.data();
    const qsizetype n = text.size();
    for (qsizetype i = 0; i + 1 < n; ++i) {
        const uint b = bucketOf(p[i], p[i + 1]);
        for (uint k = m_bucketStart[b]; k < m_bucketStart[b + 1]; ++k) {
            const Literal &l = m_literals[k];
            const qsizetype size = l.text.size();
            if ((l.atStart && i > 0) || size > n - i || (l.atEnd && i + size != n)
                || std::memcmp(p + i, l.text.constData(), size_t(size)) != 0)
                continue;
            if (l.guards < 0)
                return true;
            if (!guarded.contains(l.guards))
                guarded.append(l.guards);
        }
    }
    return false;
}

bool PatternSet::matches(const Subject &subject) const
{
    if (isEmpty())
        return false;
    const QByteArrayView b = subject.bytes();
    // On printable ASCII, '$' can only match at the very end and '.' matches every character:
    // a plain text's test is the pattern's. Any other text is the alternation's business.
    if (!std::all_of(b.begin(), b.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        return m_all.matches(subject);
    QVarLengthArray<int, 8> guarded; // the patterns whose required text is there
    if (scan(b, guarded))
        return true;
    const auto runs = [&](int i) { return m_patterns[i].matches(subject); };
    return std::any_of(guarded.begin(), guarded.end(), runs)
        || std::any_of(m_unguarded.begin(), m_unguarded.end(), runs);
}

} // namespace kmr::kernellog::detail
