// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogjson.h"

namespace kmr::kernellog {

namespace {

QJsonArray toArray(const QStringList &l)
{
    return QJsonArray::fromStringList(l);
}

QStringList toStrings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out << x.toString();
    return out;
}

} // namespace

QJsonObject toJson(const KernelLogRecord &r)
{
    QJsonObject o;
    if (r.isGap()) {
        o[QStringLiteral("gap")] = QJsonValue(r.gapSize);
        if (r.sequence >= 0)
            o[QStringLiteral("seq")] = QJsonValue(r.sequence);
        return o;
    }
    o[QStringLiteral("pri")] = r.priority;
    o[QStringLiteral("fac")] = r.facility;
    // As integers: a double holds them exactly only below 2^53, and the kernel's are 64-bit.
    o[QStringLiteral("seq")] = QJsonValue(r.sequence);
    o[QStringLiteral("ts_usec")] = QJsonValue(r.timestampUsec);
    o[QStringLiteral("cont")] = QString(QLatin1Char(r.continuation));
    if (!r.callerId.isEmpty())
        o[QStringLiteral("caller")] = r.callerId;
    o[QStringLiteral("msg")] = r.message;
    if (!r.properties.isEmpty()) {
        QJsonArray props; // [[key, value], ...]: order and repeated keys kept
        for (const auto &p : r.properties)
            props.append(QJsonArray {p.first, p.second});
        o[QStringLiteral("props")] = props;
    }
    if (r.sourceLine >= 0)
        o[QStringLiteral("line")] = r.sourceLine;
    return o;
}

KernelLogRecord recordFromJson(const QJsonObject &o)
{
    KernelLogRecord r;
    if (o.contains(QStringLiteral("gap"))) {
        r.kind = KernelLogRecord::Kind::Gap;
        r.gapSize = o.value(QStringLiteral("gap")).toInteger();
        r.sequence = o.value(QStringLiteral("seq")).toInteger(-1);
        return r;
    }
    r.priority = o.value(QStringLiteral("pri")).toInt(-1);
    r.facility = o.value(QStringLiteral("fac")).toInt(-1);
    r.sequence = o.value(QStringLiteral("seq")).toInteger(-1);
    r.timestampUsec = o.value(QStringLiteral("ts_usec")).toInteger(-1);
    const QString cont = o.value(QStringLiteral("cont")).toString(QStringLiteral("-"));
    r.continuation = cont.isEmpty() ? '-' : cont.at(0).toLatin1();
    r.callerId = o.value(QStringLiteral("caller")).toString();
    r.message = o.value(QStringLiteral("msg")).toString();
    for (const QJsonValue &p : o.value(QStringLiteral("props")).toArray()) {
        const QJsonArray kv = p.toArray();
        r.properties.append({kv.at(0).toString(), kv.at(1).toString()});
    }
    r.sourceLine = o.value(QStringLiteral("line")).toInt(-1);
    return r;
}

QJsonObject toJson(const OopsExcerpt &e)
{
    QJsonObject o;
    o[QStringLiteral("title")] = e.title;
    o[QStringLiteral("alt_titles")] = toArray(e.altTitles);
    o[QStringLiteral("kind")] = e.kind;
    o[QStringLiteral("header")] = e.header;
    o[QStringLiteral("faulting_function")] = e.faultingFunction;
    o[QStringLiteral("faulting_module")] = e.faultingModule;
    o[QStringLiteral("implicated_modules")] = toArray(implicatedModules(e));
    o[QStringLiteral("taint")] = e.taint;
    o[QStringLiteral("modules_linked_in")] = toArray(e.modulesLinkedIn);
    QJsonArray frames;
    for (const OopsFrame &f : e.frames) {
        QJsonObject fo;
        fo[QStringLiteral("function")] = f.function;
        fo[QStringLiteral("offset")] = double(f.offset);
        fo[QStringLiteral("size")] = double(f.size);
        if (!f.module.isEmpty())
            fo[QStringLiteral("module")] = f.module;
        if (f.questionable)
            fo[QStringLiteral("questionable")] = true;
        fo[QStringLiteral("line")] = f.line;
        frames.append(fo);
    }
    o[QStringLiteral("frames")] = frames;
    if (!e.callerId.isEmpty())
        o[QStringLiteral("caller")] = e.callerId;
    o[QStringLiteral("first_line")] = e.firstLine;
    o[QStringLiteral("last_line")] = e.lastLine;
    QJsonArray idx;
    for (int i : e.lineIndexes)
        idx.append(i);
    o[QStringLiteral("line_indexes")] = idx;
    o[QStringLiteral("lines")] = toArray(e.lines);
    o[QStringLiteral("truncated")] = e.truncated;
    if (e.truncated)
        o[QStringLiteral("truncated_why")] = e.truncatedWhy;
    return o;
}

OopsExcerpt excerptFromJson(const QJsonObject &o)
{
    OopsExcerpt e;
    e.title = o.value(QStringLiteral("title")).toString();
    e.altTitles = toStrings(o.value(QStringLiteral("alt_titles")));
    e.kind = o.value(QStringLiteral("kind")).toString();
    e.header = o.value(QStringLiteral("header")).toString();
    e.faultingFunction = o.value(QStringLiteral("faulting_function")).toString();
    e.faultingModule = o.value(QStringLiteral("faulting_module")).toString();
    e.taint = o.value(QStringLiteral("taint")).toString();
    e.modulesLinkedIn = toStrings(o.value(QStringLiteral("modules_linked_in")));
    for (const QJsonValue &v : o.value(QStringLiteral("frames")).toArray()) {
        const QJsonObject fo = v.toObject();
        OopsFrame f;
        f.function = fo.value(QStringLiteral("function")).toString();
        f.offset = quint64(fo.value(QStringLiteral("offset")).toDouble());
        f.size = quint64(fo.value(QStringLiteral("size")).toDouble());
        f.module = fo.value(QStringLiteral("module")).toString();
        f.questionable = fo.value(QStringLiteral("questionable")).toBool();
        f.line = fo.value(QStringLiteral("line")).toInt(-1);
        e.frames << f;
    }
    e.callerId = o.value(QStringLiteral("caller")).toString();
    e.firstLine = o.value(QStringLiteral("first_line")).toInt(-1);
    e.lastLine = o.value(QStringLiteral("last_line")).toInt(-1);
    for (const QJsonValue &v : o.value(QStringLiteral("line_indexes")).toArray())
        e.lineIndexes << v.toInt();
    e.lines = toStrings(o.value(QStringLiteral("lines")));
    e.truncated = o.value(QStringLiteral("truncated")).toBool();
    e.truncatedWhy = o.value(QStringLiteral("truncated_why")).toString();
    return e;
}

QJsonArray toJson(const QList<OopsExcerpt> &excerpts)
{
    QJsonArray a;
    for (const OopsExcerpt &e : excerpts)
        a.append(toJson(e));
    return a;
}

} // namespace kmr::kernellog
