// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsextractor.h"
#include "kernellog/kernellogcategory.h"
#include "kernellog/oopsdetails.h"
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"
#include "kernellog/oopstitle.h"

#include <cstring>

namespace kmr::kernellog {

namespace {

using detail::LineContext;
using detail::ParsedLine;

constexpr int kMaxWindow = 2000; // lines looked at after a header
constexpr int kMaxExcerptLines = 400; // lines an excerpt keeps

struct Cursor {
    qsizetype pos = 0;
    int index = 0;
};

struct Row {
    int index;
    ParsedLine line;
    quint64 hits; // detail::scanLine()
};

bool isRuler(QByteArrayView t)
{
    return t.size() >= 20 && t.startsWith("====================");
}

// Lines that belong to a report's body even though they are not frames.
bool looksLikeReportBody(const ParsedLine &p)
{
    const QByteArrayView t = p.message;
    if (t.isEmpty() || p.questionable)
        return true;
    const char c = t.front();
    if (c == ' ' || c == '<' || c == '?' || c == '[' || c == '\t')
        return true;
    const qsizetype colon = t.indexOf(':');
    const qsizetype space = t.indexOf(' ');
    return colon > 0 && (space < 0 || colon < space); // "RIP:", "Code:", "Workqueue:", "task:"
}

class Scanner
{
public:
    Scanner(QByteArrayView text, bool firstOnly)
        : m_text(text)
        , m_firstOnly(firstOnly)
    { }

    QList<int> gapLines; // lines that stand for lost records (record input)
    bool keepLines = true;
    QList<OopsExcerpt> run();

private:
    bool nextLine(Cursor &c, QByteArrayView &line) const
    {
        if (c.pos >= m_text.size())
            return false;
        const char *base = m_text.data() + c.pos;
        const void *nl = std::memchr(base, '\n', size_t(m_text.size() - c.pos));
        const qsizetype len = nl ? static_cast<const char *>(nl) - base : m_text.size() - c.pos;
        line = QByteArrayView(base, len);
        c.pos += len + 1;
        ++c.index;
        return true;
    }
    const rules::OopsGroup *matchOops(QByteArrayView line, quint64 hits) const;
    Cursor processReport(
        Cursor at, QByteArrayView headerLine, const rules::OopsGroup &group, const QList<QByteArrayView> &before);

    QByteArrayView m_text;
    bool m_firstOnly;
    QList<OopsExcerpt> m_out;
    QList<QByteArrayView> m_reportTexts;
    QList<Row> m_rows;
    QList<int> m_gapsSeen;
};

const rules::OopsGroup *Scanner::matchOops(QByteArrayView line, quint64 hits) const
{
    hits &= detail::headerMask();
    if (!hits)
        return nullptr;
    const QList<rules::OopsGroup> &groups = rules::groups();
    for (qsizetype i = 0; i < groups.size(); ++i) {
        if ((hits & (quint64(1) << i)) && !groups[i].suppressed(line))
            return &groups[i];
    }
    return nullptr;
}

QList<OopsExcerpt> Scanner::run()
{
    Cursor c;
    QList<QByteArrayView> before; // the last lines before a header: "[ cut here ]" and the WARN message
    for (;;) {
        const Cursor at = c;
        QByteArrayView line;
        if (!nextLine(c, line))
            break;
        if (const quint64 hits = detail::scanLine(line)) {
            if (const rules::OopsGroup *g = matchOops(line, hits)) {
                const qsizetype had = m_out.size();
                c = processReport(at, line, *g, before);
                before.clear();
                if (m_firstOnly && m_out.size() > had)
                    break;
                continue;
            }
        }
        if (before.size() == 3)
            before.removeFirst();
        before.append(line);
    }
    return m_out;
}

Cursor Scanner::processReport(
    Cursor at, QByteArrayView headerLine, const rules::OopsGroup &group, const QList<QByteArrayView> &before)
{
    const ParsedLine header = detail::parseLine(headerLine);
    const LineContext ctx = header.context;
    // Reused from report to report: allocating them anew each time made the heap grow and shrink.
    QList<QByteArrayView> &reportTexts = m_reportTexts;
    QList<Row> &rows = m_rows;
    QList<int> &gapsSeen = m_gapsSeen;
    reportTexts.clear();
    rows.clear();
    gapsSeen.clear();
    qsizetype reportEnd = 0;
    bool second = false, cpuTraceback = false, skipText = false, rowsClosed = false, traceSeen = false;
    int textLines = 0;
    const int minLines = header.text.contains("BUG: KMSAN:") ? 16 : 22; // KMSAN reports have no "Call Trace"
    Cursor c = at, resume;
    bool haveResume = false;

    for (int scanned = 0;; ++scanned) {
        const Cursor here = c;
        QByteArrayView line;
        if (!nextLine(c, line))
            break;
        const bool oopsLine = scanned == 0;
        if (scanned > kMaxWindow) {
            if (!haveResume)
                resume = here, haveResume = true;
            break;
        }
        const ParsedLine p = oopsLine ? header : detail::parseLine(line);
        const quint64 hits = detail::scanLine(line);
        if (!oopsLine) {
            const rules::OopsGroup *g2 = matchOops(line, hits);
            const quint64 infoBits = detail::markerBit(detail::MarkInfoWithStack1)
                | detail::markerBit(detail::MarkInfoWithStack2) | detail::markerBit(detail::MarkInfoWithStack3);
            const bool startsNew = g2 ? !rules::isReportStartIgnored(line) : (hits & infoBits) != 0;
            if (startsNew && !second) {
                second = true;
                resume = here, haveResume = true;
                if (!ctx.hasCaller())
                    break;
            }
            if (g2 && startsNew && ctx.hasCaller() && p.context == ctx)
                rowsClosed = true; // this task's next report: the title may still look further, as syzkaller does
            if (hits & detail::markerBit(detail::MarkDropped))
                gapsSeen << here.index;
        }
        const bool same = p.context == ctx || (cpuTraceback && p.context.kind == LineContext::Cpu);
        if (!oopsLine && !same)
            continue;
        if (!rowsClosed)
            rows.append({here.index, p, hits});
        if (!oopsLine && p.questionable)
            continue;
        ++textLines;
        bool skipLine = skipText;
        if (hits & detail::markerBit(detail::MarkLockDebugOff)) {
            skipLine = true;
        } else if (hits & detail::markerBit(detail::MarkNmiBacktrace)) {
            cpuTraceback = true;
        } else if (textLines > minLines
            && (hits & (detail::markerBit(detail::MarkPanic) | detail::markerBit(detail::MarkCircularLocking)))) {
            skipText = skipLine = true;
        }
        if (!oopsLine && skipLine)
            continue;
        reportTexts.append(p.text);
        traceSeen = traceSeen
            || (hits
                & (detail::markerBit(detail::MarkCallTrace) | detail::markerBit(detail::MarkBacktrace)
                    | detail::markerBit(detail::MarkCallTraceArm)));
        if (!second || ctx.hasCaller())
            reportEnd = reportTexts.size();
    }
    if (!haveResume)
        resume = c;

    OopsExcerpt e;
    const detail::TitleResult t = detail::makeTitle(group, reportTexts.first(reportEnd));
    if (group.needsFormat && !t.matchedFormat) {
        Cursor next = at;
        QByteArrayView skipped;
        nextLine(next, skipped);
        return next; // not a report after all: go on after its first line
    }
    e.title = t.title;
    e.altTitles = t.altTitles;
    const qsizetype in = e.title.indexOf(QLatin1String(" in "));
    e.kind = in >= 0 ? e.title.left(in) : e.title;
    e.header = QString::fromUtf8(header.text);
    e.callerId = ctx.hasCaller() ? QString::fromLatin1(ctx.id) : QString();

    // Where the excerpt ends: an end marker, or the report body giving way to ordinary messages.
    qsizetype keep = rows.size();
    bool sawTrace = false;
    int ordinary = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const ParsedLine &p = rows[i].line;
        if (p.message.startsWith("---[ end") || isRuler(p.message)) {
            keep = i + 1;
            break;
        }
        if ((rows[i].hits & (detail::markerBit(detail::MarkCallTrace) | detail::markerBit(detail::MarkBacktrace)))
            || !detail::frameFunction(p.text).isEmpty()) {
            sawTrace = true;
            ordinary = 0;
            continue;
        }
        if (p.message.trimmed() == "</TASK>" && i + 1 < rows.size()) {
            // The trace is over; an oops goes on with "Modules linked in", a hung task report does not.
            const QByteArrayView next = rows[i + 1].line.message;
            if (!next.startsWith(' ') && !next.startsWith("Modules linked in") && !next.startsWith("CR2:")
                && !next.startsWith("---[") && !next.startsWith("RIP:") && !next.startsWith("<TASK>")) {
                keep = i + 1;
                break;
            }
        }
        ordinary = (sawTrace && !looksLikeReportBody(p)) ? ordinary + 1 : 0;
        if (ordinary >= 8) {
            keep = i - 7;
            break;
        }
    }
    keep = std::min<qsizetype>(keep, kMaxExcerptLines);

    QList<QByteArrayView> texts;
    // Lines just before the header that open the same report ("[ cut here ]", a ruler, the WARN text).
    qsizetype from = before.size();
    for (qsizetype i = before.size() - 1; i >= 0; --i) {
        const ParsedLine pp = detail::parseLine(before[i]);
        if (pp.context != ctx)
            break;
        if (pp.message.contains("[ cut here ]") || pp.message.contains("--- cut here ---") || isRuler(pp.message)) {
            from = i;
            break;
        }
    }
    for (qsizetype i = from; i < before.size(); ++i) {
        const ParsedLine pp = detail::parseLine(before[i]);
        if (pp.context != ctx)
            continue;
        e.lineIndexes << at.index - int(before.size() - i);
        if (keepLines)
            e.lines << QString::fromUtf8(pp.raw);
        texts << pp.message;
    }
    for (qsizetype i = 0; i < keep; ++i) {
        e.lineIndexes << rows[i].index;
        if (keepLines)
            e.lines << QString::fromUtf8(rows[i].line.raw);
        texts << rows[i].line.message;
    }
    e.firstLine = e.lineIndexes.isEmpty() ? at.index : e.lineIndexes.first();
    e.lastLine = e.lineIndexes.isEmpty() ? at.index : e.lineIndexes.last();
    const qsizetype inPos = e.title.lastIndexOf(QLatin1String(" in "));
    detail::fillDetails(e, texts, inPos >= 0 ? e.title.mid(inPos + 4) : QString());

    // Damaged reports are marked, with the reason.
    e.truncatedWhy = t.corruptedWhy;
    for (const int gap : std::as_const(gapsSeen) + gapLines) {
        if (gap > e.firstLine && gap < e.lastLine)
            e.truncatedWhy = QStringLiteral("the kernel dropped messages inside the report");
    }
    if (e.truncatedWhy.isEmpty() && t.format && t.format->hasStack && !t.format->noStackTrace) {
        if (!traceSeen)
            e.truncatedWhy = QStringLiteral("the report has no call trace: it was cut short");
    }
    static const QRegularExpression timestampInTitle(QStringLiteral("\\[ *[0-9]+\\.[0-9]+\\]"));
    if (e.truncatedWhy.isEmpty() && e.title.contains(timestampInTitle))
        e.truncatedWhy = QStringLiteral("another message was printed into the middle of the report's first line");
    e.truncated = !e.truncatedWhy.isEmpty();
    m_out.append(std::move(e));
    return resume;
}

QByteArray recordsAsText(const KernelLog &records, QList<int> *gaps)
{
    QByteArray text;
    text.reserve(records.size() * 96);
    for (qsizetype i = 0; i < records.size(); ++i) {
        const KernelLogRecord &r = records[i];
        if (r.isGap())
            *gaps << int(i);
        QString line = toDmesgLine(r);
        line.replace(QLatin1Char('\n'), QLatin1Char(' '));
        text += line.toUtf8();
        text += '\n';
    }
    return text;
}

} // namespace

QList<OopsExcerpt> OopsExtractor::extractFromText(QByteArrayView text, const Options &options)
{
    Scanner s(text, false);
    s.keepLines = options.keepLines;
    return s.run();
}

QList<OopsExcerpt> OopsExtractor::extractFirstFromText(QByteArrayView text)
{
    return Scanner(text, true).run();
}

QList<OopsExcerpt> OopsExtractor::extract(const KernelLog &records)
{
    QList<int> gaps;
    const QByteArray text = recordsAsText(records, &gaps);
    Scanner s(text, false);
    s.gapLines = gaps;
    return s.run();
}

} // namespace kmr::kernellog
