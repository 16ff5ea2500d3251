// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/traceevent.h"

#include <QByteArrayView>

namespace kmr {

namespace {

struct Marker {
    QByteArrayView text;
    TraceEvent::Kind kind;
};
// The tracepoints, and the event probes our helper puts on them where "fields" is missing.
constexpr Marker kMarkers[] = {
    {": module_get: ", TraceEvent::Kind::Get},
    {": module_put: ", TraceEvent::Kind::Put},
    {": kmr_get: ", TraceEvent::Kind::Get},
    {": kmr_put: ", TraceEvent::Kind::Put},
};

// "13.821947" -> ns
bool parseTimestamp(QByteArrayView ts, qint64 *ns)
{
    const qsizetype dot = ts.indexOf('.');
    bool ok = false;
    const qint64 secs = (dot < 0 ? ts : ts.first(dot)).toLongLong(&ok);
    if (!ok)
        return false;
    qint64 frac = 0;
    if (dot >= 0) {
        QByteArrayView f = ts.sliced(dot + 1);
        if (f.isEmpty() || f.size() > 9)
            return false;
        frac = f.toLongLong(&ok);
        if (!ok)
            return false;
        for (qsizetype i = f.size(); i < 9; ++i)
            frac *= 10;
    }
    *ns = secs * 1000000000LL + frac;
    return true;
}

// The value after "key=" up to the next space (or the end).
QByteArrayView valueOf(QByteArrayView body, QByteArrayView key)
{
    qsizetype at = -1;
    for (qsizetype from = 0; (at = body.indexOf(key, from)) >= 0; from = at + 1) {
        if (at == 0 || body.at(at - 1) == ' ')
            break;
    }
    if (at < 0)
        return {};
    QByteArrayView v = body.sliced(at + key.size());
    const qsizetype sp = v.indexOf(' ');
    return sp < 0 ? v : v.first(sp);
}

// "0x5 (5)" (fields) or "5": the decimal value.
bool parseRefcnt(QByteArrayView body, int *out)
{
    QByteArrayView v = valueOf(body, "refcnt=");
    if (v.isEmpty())
        return false;
    bool ok = false;
    if (v.startsWith("0x")) {
        *out = static_cast<int>(static_cast<qint32>(v.sliced(2).toUInt(&ok, 16)));
    } else {
        *out = v.toInt(&ok);
    }
    return ok;
}

} // namespace

bool TraceEventParser::fail(const QString &why, const QByteArray &line)
{
    ++m_malformed;
    m_lastError = why + QStringLiteral(": ") + QString::fromUtf8(line.left(200));
    return false;
}

bool TraceEventParser::parseLine(const QByteArray &rawLine, TraceEvent *event)
{
    QByteArrayView line(rawLine);
    while (!line.isEmpty() && (line.back() == '\n' || line.back() == '\r'))
        line.chop(1);
    if (line.isEmpty() || line.front() == '#')
        return false;
    const Marker *marker = nullptr;
    qsizetype at = -1;
    for (const Marker &m : kMarkers) {
        at = line.indexOf(m.text);
        if (at >= 0) {
            marker = &m;
            break;
        }
    }
    if (!marker)
        return false;

    TraceEvent e;
    e.kind = marker->kind;
    // Header, read from the right: TIMESTAMP, [FLAGS], [CPU], then TASK-PID (a task name may hold
    // spaces and dashes; the pid is after the last dash).
    QByteArrayView head = line.first(at).trimmed();
    qsizetype sp = head.lastIndexOf(' ');
    if (sp < 0)
        return fail(QStringLiteral("no timestamp before the event name"), rawLine);
    if (!parseTimestamp(head.sliced(sp + 1), &e.timestampNs))
        return fail(QStringLiteral("bad timestamp"), rawLine);
    head = head.first(sp).trimmed();
    const qsizetype cpuOpen = head.lastIndexOf('[');
    const qsizetype cpuClose = head.lastIndexOf(']');
    if (cpuOpen < 0 || cpuClose < cpuOpen)
        return fail(QStringLiteral("no [CPU] field"), rawLine);
    bool ok = false;
    e.cpu = head.sliced(cpuOpen + 1, cpuClose - cpuOpen - 1).toInt(&ok);
    if (!ok)
        return fail(QStringLiteral("bad CPU number"), rawLine);
    QByteArrayView taskPid = head.first(cpuOpen).trimmed();
    if (taskPid.endsWith(')')) { // record-tgid's "(TGID)" column
        const qsizetype open = taskPid.lastIndexOf('(');
        if (open >= 0)
            taskPid = taskPid.first(open).trimmed();
    }
    const qsizetype dash = taskPid.lastIndexOf('-');
    if (dash < 0)
        return fail(QStringLiteral("no TASK-PID"), rawLine);
    e.pid = taskPid.sliced(dash + 1).toInt(&ok);
    if (!ok)
        return fail(QStringLiteral("bad pid"), rawLine);
    e.task = QString::fromUtf8(taskPid.first(dash));

    const QByteArrayView body = line.sliced(at + marker->text.size());
    if (!parseRefcnt(body, &e.rawRefcnt))
        return fail(QStringLiteral("no refcnt="), rawLine);
    const QByteArrayView ip = valueOf(body, "ip=");
    if (!ip.isEmpty()) {
        // "fields" or an event probe: raw address and name=.
        if (!ip.startsWith("0x"))
            return fail(QStringLiteral("bad ip="), rawLine);
        e.ip = ip.sliced(2).toULongLong(&ok, 16);
        if (!ok)
            return fail(QStringLiteral("bad ip="), rawLine);
        QByteArrayView name = valueOf(body, "name=");
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
            name = name.sliced(1, name.size() - 2);
        if (name.isEmpty())
            return fail(QStringLiteral("no name="), rawLine);
        e.module = QString::fromUtf8(name);
        e.callSite = QStringLiteral("0x") + QString::number(e.ip, 16);
    } else {
        // Default: "NAME call_site=SITE refcnt=N", SITE may hold a space before "[mod]".
        const qsizetype nameEnd = body.indexOf(' ');
        const qsizetype cs = body.indexOf(" call_site=");
        const qsizetype rc = body.lastIndexOf(" refcnt=");
        if (nameEnd <= 0 || cs != nameEnd || rc < cs)
            return fail(QStringLiteral("expected 'NAME call_site=SITE refcnt=N'"), rawLine);
        e.module = QString::fromUtf8(body.first(nameEnd));
        const qsizetype siteStart = cs + qsizetype(sizeof(" call_site=") - 1);
        e.callSite = QString::fromUtf8(body.sliced(siteStart, rc - siteStart));
    }
    *event = std::move(e);
    return true;
}

QList<TraceEvent> TraceEventParser::parse(const QByteArray &text)
{
    QList<TraceEvent> out;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype nl = text.indexOf('\n', start);
        if (nl < 0)
            nl = text.size();
        TraceEvent e;
        if (parseLine(text.sliced(start, nl - start), &e))
            out.append(std::move(e));
        start = nl + 1;
    }
    return out;
}

QByteArray formatTraceEvent(const TraceEvent &e)
{
    const qint64 secs = e.timestampNs / 1000000000LL;
    const qint64 usecs = (e.timestampNs % 1000000000LL) / 1000;
    QByteArray ts = QByteArray::number(secs) + '.' + QByteArray::number(usecs).rightJustified(6, '0');
    return e.task.toUtf8() + '-' + QByteArray::number(e.pid) + " [" + QByteArray::number(e.cpu).rightJustified(3, '0')
        + "] ..... " + ts + (e.kind == TraceEvent::Kind::Get ? ": module_get: " : ": module_put: ") + e.module.toUtf8()
        + " call_site=" + e.callSite.toUtf8() + " refcnt=" + QByteArray::number(e.rawRefcnt);
}

} // namespace kmr
