// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the extractor's regular expressions, matched on the log's bytes.

#include <QByteArrayView>
#include <QRegularExpression>
#include <QStringList>
#include <QVarLengthArray>

#include <memory>
#include <vector>

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
    // Jit::No: matched by PCRE2's interpreter, for a small pattern that meets few texts (JIT
    // compiling one costs as much as hundreds of its matches).
    enum class Jit { Yes, No };
    explicit Regex(const QString &pattern, Jit jit = Jit::Yes);
    bool isEmpty() const { return !m_state; }
    QString pattern() const;

    // The first match in subject: its start (in UTF-16 units of the subject, which for ASCII text
    // are its bytes), or -1. With captures, captures 1 to the last one set are appended (a null
    // QString for a group that took no part), as QRegularExpressionMatch::captured() gives them.
    qsizetype match(const Subject &subject, QStringList *captures = nullptr) const;
    bool matches(const Subject &subject) const { return match(subject) >= 0; }
    // The same on a UTF-16 text (with no lone surrogates), by QRegularExpression.
    qsizetype matchText(const QString &text, QStringList *captures = nullptr) const;
    // match() on ASCII text, with the captures as views into the subject's bytes (an empty view for
    // a group that took no part), none of them copied: the same start and the same texts. On
    // other text, or where the 8-bit library cannot answer, kUnanswered: ask match().
    using Views = QVarLengthArray<QByteArrayView, 8>;
    static constexpr qsizetype kUnanswered = -2;
    qsizetype matchAscii(const Subject &subject, Views *captures) const;

private:
    struct State;
    // PCRE2's 8-bit answer on subject's bytes (0 when the 8-bit library cannot take the
    // pattern), its offsets in *ovector.
    int runBytes(const Subject &subject, const size_t **ovector) const;
    std::shared_ptr<State> m_state;
};

// Whether any of a list of patterns matches somewhere in a short text (a function name): the
// answer of their alternation "(?:p1)|(?:p2)|...", without running it on most texts. Each top-level
// alternative that is plain text, maybe anchored ("text", "^text", "text$", "^text$"), is looked
// up as bytes; any other runs as its own Regex, and only where a text all its matches contain
// (requiredLiterals(), 2 bytes or more) is present, or always when it has none. Printable ASCII texts take this
// way; any other text is matched by the alternation itself (a '$' before a final '\n', a '.' that
// does not cross a line end and UTF-8 are the engine's business). The patterns must not refer
// to each other's groups (no back-references), as they are split apart.
class PatternSet
{
public:
    PatternSet() = default;
    explicit PatternSet(const QStringList &patterns);
    bool isEmpty() const { return m_all.isEmpty(); }
    // The alternation's answer on subject (UTF-8 bytes).
    bool matches(const Subject &subject) const;
    // The alternation's answer on a UTF-16 text, by QRegularExpression.
    bool matchesText(const QString &text) const { return m_all.matchText(text) >= 0; }

private:
    struct Literal {
        QByteArray text; // 2 bytes or more
        bool atStart = false;
        bool atEnd = false;
        int guards = -1; // -1: its presence is a match; else the index of the pattern it guards
    };
    static uint bucketOf(char a, char b) { return ((uint(uchar(a)) << 5) ^ uint(uchar(b))) & (kBuckets - 1); }
    static constexpr uint kBuckets = 1024;
    void addAlternative(const QString &alternative);
    bool scan(QByteArrayView text, QVarLengthArray<int, 8> &guarded) const;

    Regex m_all; // the alternation, for texts the fast way does not take
    std::vector<Literal> m_literals; // grouped by the bucket of their first two bytes
    std::vector<quint16> m_bucketStart; // m_literals[m_bucketStart[b] .. m_bucketStart[b + 1]) are bucket b's
    QList<Regex> m_patterns; // the alternatives that are not plain text
    QList<int> m_unguarded; // those of them without a required text: always run
};

// Whether c has a meaning of its own in a pattern (outside a class).
bool isRegexSpecial(char c);

// The literal texts every match of a pattern contains, at least minSize bytes each: runs of plain (or
// escaped punctuation) characters outside groups and classes, a character a quantifier makes
// optional left out. "WARNING: .*lib/debugobjects\\.c.* (?:debug_print|at)" ->
// {"WARNING: ", "lib/debugobjects.c"}. None for a pattern with a top-level alternative or a
// case-insensitive one: nothing is then required.
QList<QByteArray> requiredLiterals(QByteArrayView pattern, qsizetype minSize = 4);

// The sets of texts of which every match of a pattern contains one (at least one text of each
// set): the groups outside any other that are not optional ('?', '*' or '{' after them) and hold
// nothing but plain alternatives (escaped punctuation allowed), each of at least minSize bytes.
// "(Read|Write) (?:of size|at addr)" -> {{"Read", "Write"}, {"of size", "at addr"}}. None for a
// pattern with a top-level alternative or any "(?" but "(?:" (an option such as "(?i)" changes
// what the texts match).
QList<QList<QByteArray>> requiredAlternatives(QByteArrayView pattern, qsizetype minSize = 3);

// How many lines (of text whose lines each end with '\n') a match of the pattern can touch at
// most, the '\n' after the last one included: 1 + the number of "\n" in it, when nothing else in
// it can match a line end or look at where the text ends, and no "\n" is repeated. 0 when that
// cannot be told: a negated class, a character type but \d and \w, a '$', any "(?" but "(?:".
// Such a pattern's first match, when it starts in a text's first line, is found the same in the
// text's first lines alone: "a.*(?:\n.*)?b" -> 2.
int maxLinesSpanned(QByteArrayView pattern);

// A pattern's top-level alternatives ("a|(b|c)|d" -> "a", "(b|c)", "d"); the pattern whole when
// splitting it could change what it matches (an option setting such as "(?i)", a "\\Q" quote).
QStringList topLevelAlternatives(const QString &pattern);

} // namespace kmr::kernellog::detail
