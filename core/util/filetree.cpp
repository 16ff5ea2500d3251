// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/filetree.h"

#include "util/fileread.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace kmr {

QString FileTree::firstLine(const QString &path, QString *why) const
{
    QByteArray data;
    if (!read(path, &data, why, 1024 * 1024))
        return {};
    return firstLineOf(data);
}

DiskTree::DiskTree(const QString &root)
    : m_root(root)
{ }

bool DiskTree::read(const QString &path, QByteArray *out, QString *why, qint64 maxBytes) const
{
    return readSmallFile(joinRoot(m_root, path), out, why, maxBytes);
}

bool DiskTree::isDir(const QString &path) const
{
    return QFileInfo(joinRoot(m_root, path)).isDir();
}

QStringList DiskTree::list(const QString &dir) const
{
    return QDir(joinRoot(m_root, dir)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
}

namespace {

QString relative(const QString &path)
{
    QString p = path;
    while (p.startsWith(QLatin1Char('/')))
        p.remove(0, 1);
    while (p.endsWith(QLatin1Char('/')))
        p.chop(1);
    return p;
}

// The next path component of every key under `prefix` ("a/b/" -> "c" for "a/b/c/d").
template<typename Map> void childNames(const Map &map, const QString &prefix, QSet<QString> *out)
{
    for (auto it = map.lowerBound(prefix); it != map.constEnd() && it.key().startsWith(prefix); ++it)
        out->insert(it.key().mid(prefix.size()).section(QLatin1Char('/'), 0, 0));
}

} // namespace

MemoryTree::MemoryTree(QMap<QString, QByteArray> files, QMap<QString, QString> links, const QString &label)
    : m_files(std::move(files))
    , m_links(std::move(links))
    , m_label(label)
{ }

QString MemoryTree::resolve(const QString &path) const
{
    QStringList parts = relative(path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString done;
    int hops = 0;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString candidate = done.isEmpty() ? parts.at(i) : done + QLatin1Char('/') + parts.at(i);
        const auto link = m_links.constFind(candidate);
        if (link == m_links.constEnd()) {
            done = candidate;
            continue;
        }
        if (++hops > 16)
            return {};
        parts = link->split(QLatin1Char('/'), Qt::SkipEmptyParts) + parts.mid(i + 1);
        done.clear();
        i = -1;
    }
    return done;
}

bool MemoryTree::read(const QString &path, QByteArray *out, QString *why, qint64 maxBytes) const
{
    const auto it = m_files.constFind(resolve(path));
    if (it == m_files.constEnd()) {
        if (why)
            *why = relative(path) + QStringLiteral(": not in ") + m_label;
        return false;
    }
    if (it->size() > maxBytes) {
        if (why)
            *why = relative(path) + QStringLiteral(": larger than %1 bytes, not read").arg(maxBytes);
        return false;
    }
    *out = *it;
    return true;
}

bool MemoryTree::isDir(const QString &path) const
{
    const QString r = resolve(path);
    if (r.isEmpty())
        return relative(path).isEmpty();
    const QString prefix = r + QLatin1Char('/');
    const auto f = m_files.lowerBound(prefix);
    const auto l = m_links.lowerBound(prefix);
    return (f != m_files.constEnd() && f.key().startsWith(prefix))
        || (l != m_links.constEnd() && l.key().startsWith(prefix));
}

QStringList MemoryTree::list(const QString &dir) const
{
    const QString r = resolve(dir);
    if (r.isEmpty() && !relative(dir).isEmpty())
        return {}; // a link loop
    const QString prefix = r.isEmpty() ? QString() : r + QLatin1Char('/');
    QSet<QString> names;
    childNames(m_files, prefix, &names);
    childNames(m_links, prefix, &names);
    QStringList out(names.cbegin(), names.cend());
    out.sort();
    return out;
}

QStringList MemoryTree::filesUnder(const QString &dir) const
{
    const QString r = resolve(dir);
    QStringList out;
    if (r.isEmpty())
        return out;
    const QString prefix = r + QLatin1Char('/');
    for (auto it = m_files.lowerBound(prefix); it != m_files.constEnd() && it.key().startsWith(prefix); ++it)
        out << it.key();
    return out;
}

} // namespace kmr
