// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsregex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstring>
#include <mutex>
#include <utility>

namespace kmr::kernellog::detail {

bool Subject::isAscii() const
{
    if (m_ascii < 0) {
        // Eight bytes at a time: a byte >= 0x80 sets a high bit.
        const char *p = m_bytes.data();
        const qsizetype n = m_bytes.size();
        quint64 high = 0;
        qsizetype i = 0;
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
    pcre2_code_8 *code = nullptr; // null when the 8-bit library cannot take the pattern
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
        if (code)
            pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE); // when it fails, the interpreter runs
    }
    static constexpr uint32_t kMaxGroups = 64;
};

Regex::Regex(const QString &pattern)
    : m_state(std::make_shared<State>())
{
    m_state->qt.setPattern(pattern);
}

QString Regex::pattern() const
{
    return m_state ? m_state->qt.pattern() : QString();
}

qsizetype Regex::match(const Subject &subject, QStringList *captures) const
{
    if (!m_state)
        return -1;
    State &s = *m_state;
    std::call_once(s.compiled, [&s] { s.compile(); });
    if (s.code && subject.isAscii()) {
        struct Data {
            pcre2_match_data_8 *d = pcre2_match_data_create_8(State::kMaxGroups, nullptr);
            ~Data() { pcre2_match_data_free_8(d); }
        };
        thread_local Data data;
        const QByteArrayView b = subject.bytes();
        // ASCII is valid UTF-8: the check PCRE2 would make on every call is spared.
        const int rc = pcre2_match_8(s.code, reinterpret_cast<PCRE2_SPTR8>(b.data()), PCRE2_SIZE(b.size()), 0,
            PCRE2_NO_UTF_CHECK, data.d, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            return -1;
        if (rc > 0) {
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer_8(data.d);
            if (captures) {
                for (int i = 1; i < rc; ++i) {
                    captures->append(ov[2 * i] == PCRE2_UNSET
                            ? QString()
                            : QString::fromLatin1(b.data() + ov[2 * i], qsizetype(ov[2 * i + 1] - ov[2 * i])));
                }
            }
            return qsizetype(ov[0]);
        }
        // Any other answer (a JIT stack or match limit reached): QRegularExpression decides, as before.
    }
    return matchText(subject.utf16(), captures);
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

} // namespace kmr::kernellog::detail
