// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopscorpus.h"
#include "kernellog/oopsextractor.h"

#include <QDir>
#include <QFile>

namespace kmr::kernellog {

bool parseCorpusCase(const QByteArray &input, CorpusCase *out, QString *error)
{
    QByteArray data = input;
    data.replace('\r', QByteArray());
    CorpusCase c;
    qsizetype pos = 0;
    bool sawBlank = false;
    while (pos < data.size()) {
        qsizetype end = data.indexOf('\n', pos);
        if (end < 0)
            end = data.size();
        const QByteArrayView line(data.constData() + pos, end - pos);
        pos = end + 1;
        if (line.isEmpty()) {
            sawBlank = true;
            break;
        }
        if (line.startsWith("TITLE: "))
            c.title = QString::fromUtf8(line.sliced(7)).trimmed();
        else if (line.startsWith("ALT: "))
            c.altTitles << QString::fromUtf8(line.sliced(5)).trimmed();
        else if (line.startsWith("CORRUPTED: "))
            c.corrupted = line.sliced(11).trimmed() == "Y";
    }
    if (!sawBlank) {
        if (error)
            *error = QStringLiteral("no empty line ends the header");
        return false;
    }
    QByteArray log = data.mid(pos);
    const qsizetype report = log.indexOf("\nREPORT:\n");
    if (report >= 0)
        log.truncate(report + 1);
    else if (log.startsWith("REPORT:\n"))
        log.clear();
    c.log = log;
    *out = c;
    return true;
}

QString titleKind(const QString &title)
{
    const qsizetype in = title.indexOf(QLatin1String(" in "));
    return in >= 0 ? title.left(in) : title;
}

bool scoreCorpus(const QString &dirPath, CorpusScore *score, QString *error)
{
    QDir dir(dirPath);
    if (!dir.exists()) {
        if (error)
            *error = QStringLiteral("%1: no such directory").arg(dirPath);
        return false;
    }
    CorpusScore s;
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &name : names) {
        if (name.startsWith(QLatin1String("README")) || name.startsWith(QLatin1String("LICENSE")))
            continue;
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            s.misses << QStringLiteral("%1: cannot read: %2").arg(name, f.errorString());
            ++s.files;
            continue;
        }
        CorpusCase c;
        QString why;
        if (!parseCorpusCase(f.readAll(), &c, &why)) {
            s.misses << QStringLiteral("%1: not a corpus case: %2").arg(name, why);
            ++s.files;
            continue;
        }
        c.name = name;
        ++s.files;
        const QList<OopsExcerpt> found = OopsExtractor::extractFirstFromText(c.log);
        const QString got = found.isEmpty() ? QString() : found.first().title;
        const bool detected = found.isEmpty() == c.title.isEmpty();
        s.detected += detected ? 1 : 0;
        if (c.title.isEmpty()) {
            if (!detected)
                s.misses << QStringLiteral("%1: expected no crash, got '%2'").arg(name, got);
            continue;
        }
        ++s.withCrash;
        const QStringList accepted = QStringList {c.title} + c.altTitles;
        bool kind = false;
        for (const QString &t : accepted)
            kind = kind || (!got.isEmpty() && titleKind(t) == titleKind(got));
        const bool title = accepted.contains(got);
        s.kindRight += kind ? 1 : 0;
        s.titleRight += title ? 1 : 0;
        if (!title)
            s.misses << QStringLiteral("%1: expected '%2' got '%3'").arg(name, c.title, got);
    }
    if (s.files == 0) {
        if (error)
            *error = QStringLiteral("%1: no corpus files in it").arg(dirPath);
        return false;
    }
    *score = s;
    return true;
}

} // namespace kmr::kernellog
