// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the extractor's regular expressions, matched on the log's bytes.

#include <QByteArrayView>
#include <QRegularExpression>
#include <QStringList>

#include <memory>

namespace kmr::kernellog::detail {

// A text a Regex is matched against: UTF-8 bytes, with their UTF-16 conversion made only when
// a pattern has to see it (see Regex).
class Subject
{
public:
    explicit Subject(QByteArrayView bytes)
        : m_bytes(bytes)
    { }
    QByteArrayView bytes() const { return m_bytes; }
    bool isAscii() const;
    const QString &utf16() const;

private:
    QByteArrayView m_bytes;
    mutable int m_ascii = -1;
    mutable bool m_converted = false;
    mutable QString m_utf16;
};

// A QRegularExpression whose matches on ASCII text are found by PCRE2's 8-bit library in the
// bytes themselves: no conversion to UTF-16, no match object. Text with other bytes goes through
// QRegularExpression on its UTF-16 conversion, as before. On ASCII text both find the same match
// (the same pattern and options, PCRE2 underneath both), and a byte offset is a UTF-16 offset, so
// the answers are the same whichever way was taken. Compiled on first use; copies share the
// compiled pattern, which any thread may match with.
class Regex
{
public:
    Regex() = default;
    explicit Regex(const QString &pattern);
    bool isEmpty() const { return !m_state; }
    QString pattern() const;

    // The first match in subject: its start (in UTF-16 units of the subject, which for ASCII text
    // are its bytes), or -1. With captures, captures 1 to the last one set are appended (a null
    // QString for a group that took no part), as QRegularExpressionMatch::captured() gives them.
    qsizetype match(const Subject &subject, QStringList *captures = nullptr) const;
    bool matches(const Subject &subject) const { return match(subject) >= 0; }
    // The same on a UTF-16 text (with no lone surrogates), by QRegularExpression.
    qsizetype matchText(const QString &text, QStringList *captures = nullptr) const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace kmr::kernellog::detail
