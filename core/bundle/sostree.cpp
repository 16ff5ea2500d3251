// SPDX-License-Identifier: GPL-2.0-or-later
// Reading a sosreport (tarball or unpacked directory) into memory.
#include "bundle/sostree.h"

#include "bundle/bundlelog.h"
#include "util/fileread.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>

#include <archive.h>
#include <archive_entry.h>

#include <unistd.h>

namespace kmr::bundle {

namespace {

// The first components a sosreport has at its top; anything else first is the top directory.
bool isSosTopEntry(const QString &first)
{
    static const QStringList names {QStringLiteral("sos_commands"), QStringLiteral("sos_reports"),
        QStringLiteral("sos_logs"), QStringLiteral("sos_strings"), QStringLiteral("proc"), QStringLiteral("sys"),
        QStringLiteral("boot"), QStringLiteral("var"), QStringLiteral("etc"), QStringLiteral("usr"),
        QStringLiteral("lib"), QStringLiteral("run"), QStringLiteral("version.txt")};
    return names.contains(first);
}

// "sosreport-x/proc/modules" -> "proc/modules"; "proc/modules" stays.
QString stripTop(const QString &path)
{
    const qsizetype slash = path.indexOf(QLatin1Char('/'));
    if (slash < 0 || isSosTopEntry(path.left(slash)))
        return path;
    return path.mid(slash + 1);
}

bool isSosMarker(const QString &relative)
{
    return relative == QLatin1String("version.txt") || relative.startsWith(QLatin1String("sos_reports/"))
        || relative.startsWith(QLatin1String("sos_commands/")) || relative.startsWith(QLatin1String("sos_logs/"))
        || relative == QLatin1String("sos_commands") || relative == QLatin1String("sos_reports");
}

// A tarball: what is too large to read from it may still be read once it is unpacked, where only
// the files kmodrescue reads count.
const ArchiveRules &sosRules()
{
    static const ArchiveRules rules {QStringLiteral("sosreport"), QStringLiteral("sos report"),
        QStringLiteral("a tar archive (xz, gzip, bzip2, zstd or uncompressed)"),
        QStringLiteral("Open the .tar.xz that `sos report` wrote, or unpack it yourself and open the directory."),
        QStringLiteral("Ask for the sosreport again (`sos report` on its machine)."),
        QStringLiteral("Unpack it (tar xf), shorten or delete that file, and open the directory."),
        QStringLiteral("If you have the room, unpack it (tar xf) and open the directory: there only the files "
                       "kmodrescue reads count."),
        true, true, [](const QString &path) { return sosWanted(stripTop(path)); }};
    return rules;
}

// An unpacked directory: the user can trim a file that is too large.
const ArchiveRules &sosDirectoryRules()
{
    static const ArchiveRules rules = [] {
        ArchiveRules r = sosRules();
        r.overMember = QStringLiteral("Shorten or delete that file, then open the directory again.");
        return r;
    }();
    return rules;
}

bool fail(const QString &path, BundleError e, const QString &why, BundleError *error, QString *message)
{
    if (error)
        *error = e;
    if (message)
        *message = path + QStringLiteral(": ") + why;
    qCDebug(lcBundle).noquote() << "rejected sosreport:" << path << why;
    return false;
}

bool notASosReport(const QString &path, BundleError *error, QString *message)
{
    return fail(path, BundleError::NotASosReport,
        QStringLiteral("not a sosreport: none of sos's own files (version.txt, sos_reports/, sos_commands/) is "
                       "in it. Open the .tar.xz that `sos report` wrote or the directory it unpacks to (a copied "
                       "root tree opens with --root DIR)."),
        error, message);
}

// Files and links with the top directory taken off, checked to be a sosreport.
bool finish(const QString &path, ArchiveEntries &entries, SosTree *out, BundleError *error, QString *message)
{
    QMap<QString, QByteArray> files;
    QMap<QString, QString> links;
    bool marker = false;
    QString top;
    for (auto it = entries.files.constBegin(); it != entries.files.constEnd(); ++it) {
        const QString rel = stripTop(it.key());
        if (rel != it.key())
            top = it.key().left(it.key().size() - rel.size() - 1);
        marker = marker || isSosMarker(rel);
        files.insert(rel, *it);
    }
    for (auto it = entries.links.constBegin(); it != entries.links.constEnd(); ++it) {
        // Inside the archive is not enough: a link must stay inside the report's top directory.
        if (!top.isEmpty() && it.key().startsWith(top + QLatin1Char('/')) && !it->startsWith(top + QLatin1Char('/')))
            return fail(path, BundleError::LinkEntry, linkOutsideMessage(sosRules(), it.key(), *it), error, message);
        marker = marker || isSosMarker(stripTop(it.key()));
        links.insert(stripTop(it.key()), stripTop(*it));
    }
    if (!marker)
        return notASosReport(path, error, message);
    if (out) {
        out->files = MemoryTree(std::move(files), std::move(links), QStringLiteral("sosreport ") + path);
        out->path = path;
        out->topName = top;
        out->skippedSpecial = entries.skippedSpecial;
    }
    return true;
}

QString readLinkTarget(const QString &file)
{
    QByteArray buf(4096, '\0');
    const ssize_t n = ::readlink(QFile::encodeName(file).constData(), buf.data(), size_t(buf.size() - 1));
    return n < 0 ? QString() : QString::fromUtf8(buf.left(n));
}

// One entry of an unpacked directory: a link is kept if it stays inside; a wanted file is read.
bool readDirEntry(const QString &dir, const QFileInfo &fi, const ReadLimits &limits, ArchiveEntries *out, qint64 *total,
    BundleError *error, QString *message)
{
    const QString rel = fi.filePath().mid(dir.size() + 1); // the iterator runs on the absolute `dir`
    if (fi.isSymLink()) {
        const QString target = readLinkTarget(fi.filePath());
        const QString resolved = resolveLinkTarget(rel, target);
        if (resolved.isEmpty())
            return fail(dir, BundleError::LinkEntry, linkOutsideMessage(sosRules(), rel, target), error, message);
        out->links.insert(rel, resolved);
        return true;
    }
    if (fi.isDir() || !sosWanted(rel))
        return true;
    if (!fi.isFile())
        return fail(dir, BundleError::SpecialEntry, specialEntryMessage(sosRules(), rel), error, message);
    if (fi.size() > limits.maxMemberSize)
        return fail(dir, BundleError::MemberTooLarge,
            memberTooLargeMessage(sosDirectoryRules(), limits, rel, fi.size()), error, message);
    if (*total + fi.size() > limits.maxTotalSize)
        return fail(dir, BundleError::TotalTooLarge,
            QStringLiteral("the files kmodrescue reads in it come to more than %1 (at least %2). Shorten or delete its "
                           "largest logs (sos_commands/logs/, var/log/), then open it again.")
                .arg(mib(limits.maxTotalSize), mib(*total + fi.size())),
            error, message);
    QByteArray data;
    QString why;
    if (!readSmallFile(fi.filePath(), &data, &why, limits.maxMemberSize))
        return fail(dir, BundleError::CannotOpen,
            QStringLiteral("cannot read %1. Make every file in it readable to you (unpack it again as yourself), then "
                           "open it again.")
                .arg(why),
            error, message);
    *total += data.size();
    out->files.insert(rel, data);
    return true;
}

bool readSosDirectory(const QString &dir, SosTree *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    const QDir d(dir);
    if (!d.exists(QStringLiteral("version.txt")) && !d.exists(QStringLiteral("sos_commands"))
        && !d.exists(QStringLiteral("sos_reports")))
        return notASosReport(dir, error, message); // before walking a tree that is not one
    ArchiveEntries entries;
    qint64 total = 0;
    // Links are listed, never followed: a link into a directory is resolved in memory.
    const QString top = QFileInfo(dir).absoluteFilePath();
    QDirIterator it(
        top, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        if (readCancelled(dir, sosRules(), limits, error, message))
            return false;
        if (!readDirEntry(top, it.fileInfo(), limits, &entries, &total, error, message))
            return false;
    }
    return finish(dir, entries, out, error, message);
}

} // namespace

bool sosWanted(const QString &rel)
{
    static const QStringList exact {QStringLiteral("version.txt"), QStringLiteral("sos_reports/manifest.json"),
        QStringLiteral("proc/modules"), QStringLiteral("proc/version"), QStringLiteral("proc/sys/kernel/tainted"),
        QStringLiteral("proc/sys/kernel/osrelease"), QStringLiteral("proc/sys/kernel/modules_disabled"),
        QStringLiteral("sys/kernel/security/lockdown"), QStringLiteral("sys/module/module/parameters/sig_enforce"),
        QStringLiteral("var/log/dmesg"), QStringLiteral("var/log/kern.log"),
        QStringLiteral("sos_commands/kernel/uname_-a"), QStringLiteral("sos_commands/kernel/lsmod"),
        QStringLiteral("sos_commands/kernel/sysctl_-a"), QStringLiteral("sos_commands/kernel/dmesg"),
        QStringLiteral("sos_commands/kernel/dmesg_-T")};
    if (exact.contains(rel))
        return true;
    static const QRegularExpression patterns(
        QStringLiteral("^(boot/config-[^/]+"
                       "|sos_commands/kernel/modinfo_[^/]+"
                       "|sos_commands/logs/journalctl_[^/]+"
                       "|sys/module/[^/]+/(refcnt|initstate|taint|coresize|srcversion|holders/[^/]+))$"));
    if (!patterns.match(rel).hasMatch())
        return false;
    // Service journals and journal statistics hold no kernel lines.
    return !rel.contains(QLatin1String("--unit")) && !rel.contains(QLatin1String("disk-usage"))
        && !rel.contains(QLatin1String("list-boots"));
}

bool looksLikeSosReport(const QString &path)
{
    const QFileInfo fi(path);
    if (fi.isDir())
        return true;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(512);
    if (nonGzipTarMagic(head))
        return true;
    if (!head.startsWith(QByteArray("\x1f\x8b", 2))) // unrecognisable: the name decides whose error it gets
        return QRegularExpression(QStringLiteral("\\.(tar\\.(xz|bz2|zst)|txz|tar)$")).match(path).hasMatch();
    // A .tar.gz: sos's own files come first (its top directory, then version.txt, sos_reports).
    archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    bool sos = false;
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), 1 << 16) == ARCHIVE_OK) {
        archive_entry *e = nullptr;
        for (int i = 0; i < 16 && !sos && archive_read_next_header(a, &e) == ARCHIVE_OK; ++i) {
            const QString name = QString::fromUtf8(archive_entry_pathname(e));
            sos = name.startsWith(QLatin1String("sosreport-")) || isSosMarker(stripTop(name));
        }
    }
    archive_read_free(a);
    return sos;
}

bool readSosTree(const QString &path, SosTree *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    if (QFileInfo(path).isDir())
        return readSosDirectory(path, out, error, message, limits);
    ArchiveEntries entries;
    return readArchiveEntries(path, nullptr, sosRules(), limits, &entries, error, message)
        && finish(path, entries, out, error, message);
}

bool readSosTreeData(const QByteArray &data, const QString &name, SosTree *out, BundleError *error, QString *message,
    const ReadLimits &limits)
{
    ArchiveEntries entries;
    return readArchiveEntries(name, &data, sosRules(), limits, &entries, error, message)
        && finish(name, entries, out, error, message);
}

} // namespace kmr::bundle
