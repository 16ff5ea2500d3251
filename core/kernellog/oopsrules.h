// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The table of crash kinds the OopsExtractor knows, and how each one's title is made.
// Internal to kernellog/. The conventions (kinds, title formats, which frames are not
// interesting) follow syzkaller's pkg/report/linux.go, so titles compare with its corpus.

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QStringList>

#include "kernellog/oopsregex.h"

#include <memory>

namespace kmr::kernellog::detail {
class LiteralSet;
struct InternedName;
} // namespace kmr::kernellog::detail

namespace kmr::kernellog::rules {

// One step of finding the guilty frame in a report.
struct StackPart {
    enum Kind {
        Rip, // the faulting IP line ("RIP: 0010:f+0x1/0x2", "PC is at f+...", "pc : f+..."): yields f
        CallTrace, // a "Call Trace:" / "Call trace:" / "Backtrace:" line
        ParseTrace, // then every frame line until the next trace starts
        Regex, // a line matching re; its capture (if any) yields a frame
        Literal, // a line containing literal
    };
    Kind kind;
    detail::Regex re;
    QByteArray literal;
};

enum class FrameChoice { First, Stall, HungTask };

struct StackSpec {
    QList<StackPart> parts;
    QList<StackPart> parts2; // tried when parts find nothing
    FrameChoice choice = FrameChoice::First;
    detail::PatternSet skip; // the format's own additions to the global list (may be empty)
    bool hasSkip = false; // skip is not empty
    bool skips(QByteArrayView frame) const; // global list or the format's own
    // The same for a name already looked up: name is internedName(frame).
    bool skips(detail::InternedName &name, QByteArrayView frame) const;
};

struct OopsFormat {
    detail::Regex title;
    QList<QByteArray> titleLiterals; // texts every match of title contains: no match without them
    QList<QList<QByteArray>> titleAlternatives; // sets of texts of which every match contains one
    // Set when title is "X:[[:space:]]*(?:\\n|$)" (X plain text): a header with nothing after
    // it. Such a pattern spans lines, but its match is found in the bytes (see makeTitle).
    QByteArray bareHeader;
    bool titleMultiline = false; // the title pattern spans lines: match it against the report text
    int titleLines = 0; // when it does: a match touches that many lines at most (0: not known)
    detail::Regex report; // optional: must match the report text, its captures feed fmt
    bool hasReport = false; // report is set
    QList<QByteArray> reportLiterals; // as titleLiterals and titleAlternatives, for report
    QList<QList<QByteArray>> reportAlternatives;
    QString fmt; // "{1}" ... "{n}": captures, then the frames the stack spec found
    QStringList alt;
    bool hasStack = false;
    StackSpec stack;
    bool noStackTrace = false; // the report has no call trace by nature
    bool corrupted = false; // a match here means the report is damaged
};

struct OopsGroup {
    QByteArray header; // the substring that makes a line start a report
    QList<OopsFormat> formats;
    // The first of each format's titleLiterals, searched for in a header line in one pass: bit
    // firstLiteralBit[i] of firstLiterals->find(line) says whether formats[i]'s is in it (-1:
    // the format has none). Null when the group has more than 64 formats.
    std::shared_ptr<const detail::LiteralSet> firstLiterals;
    QList<int> firstLiteralBit;
    struct Suppression {
        detail::Regex re;
        QList<QByteArray> literals; // texts every match contains (see OopsFormat::titleLiterals)
    };
    QList<Suppression> suppressions; // lines with the header that are not crashes
    QList<QByteArray> suppressionLiterals; // the same, for the plain-text ones
    std::shared_ptr<const detail::LiteralSet> suppressionSet; // all of them in one pass, when it can hold them
    bool suppressed(QByteArrayView line) const;
    // Only a line one of the formats recognises is a report ("e1000: INFO: link up" is not).
    // syzkaller reports any such line; a developer's own log has too many of them.
    bool needsFormat = false;
};

const QList<OopsGroup> &groups();
// Lines that would start a report but are part of the one being read (a panic after an oops).
bool isReportStartIgnored(QByteArrayView line);
// Frame name prefixes stripped when choosing the canonical frame ("__x64_sys_", ...).
QString stripFramePrefixes(const QString &frame);
// The length of the prefix stripFramePrefixes() removes (0: none).
qsizetype framePrefixLength(QStringView frame);
// The stall anchors (syscall entries, workqueue, softirq, ...) used by FrameChoice::Stall.
bool isStallAnchor(const QString &frame);
// isStallAnchor(stripFramePrefixes(frame)), remembered with the frame's name (per thread).
bool isStallAnchorOnceStripped(const QString &frame);

} // namespace kmr::kernellog::rules
