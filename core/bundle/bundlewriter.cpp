// SPDX-License-Identifier: GPL-2.0-or-later
// The atomic bundle writer: libarchive (pax tar + gzip) into an anonymous file, then rename.
#include "bundle/bundlearchive.h"
#include "bundle/bundlelog.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace kmr::bundle {

QJsonObject makeManifest(const QList<BundleMember> &members, const QJsonObject &extra)
{
    QJsonObject m = extra;
    m.insert(QStringLiteral("schema"), QLatin1String(BundleSchema));
    m.insert(QStringLiteral("schema_version"), BundleSchemaVersion);
    if (!m.contains(QStringLiteral("tool_version")))
        m.insert(QStringLiteral("tool_version"), QStringLiteral(KMR_VERSION));
    if (!m.contains(QStringLiteral("created")))
        m.insert(QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    QJsonArray list;
    for (const BundleMember &b : members) {
        list.append(QJsonObject {{QStringLiteral("path"), b.path}, {QStringLiteral("size"), qint64(b.data.size())},
            {QStringLiteral("sha256"),
                QString::fromLatin1(QCryptographicHash::hash(b.data, QCryptographicHash::Sha256).toHex())}});
    }
    m.insert(QStringLiteral("members"), list);
    return m;
}

namespace {

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

// Writes one member; false with *message set on failure.
bool writeMember(archive *a, const QString &path, const QByteArray &data, time_t mtime, qint64 *done, qint64 total,
    const WriteOptions &options, QString *message)
{
    archive_entry *e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, path.toUtf8().constData());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, data.size());
    archive_entry_set_mtime(e, mtime, 0);
    bool ok = archive_write_header(a, e) == ARCHIVE_OK;
    archive_entry_free(e);
    constexpr qint64 chunk = 1 << 20;
    for (qint64 off = 0; ok && off < data.size(); off += chunk) {
        const qint64 n = qMin(chunk, data.size() - off);
        ok = archive_write_data(a, data.constData() + off, size_t(n)) == n;
        *done += n;
        if (ok && options.progress)
            options.progress(*done, total);
    }
    if (!ok && message)
        *message = QStringLiteral("writing %1 into the bundle failed: %2")
                       .arg(path, QString::fromLocal8Bit(archive_error_string(a)));
    return ok;
}

// An anonymous file in `dir` (O_TMPFILE): a kill before the final link leaves nothing behind.
// Falls back to a hidden named temporary where the file system has no O_TMPFILE.
int openTemporary(const QString &dir, const QString &base, QByteArray *namedTemp)
{
    const QByteArray d = QFile::encodeName(dir);
    int fd = ::open(d.constData(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0)
        return fd;
    qCDebug(lcBundle) << "no O_TMPFILE in" << dir << errnoText(errno) << "- using a named temporary";
    QByteArray tmpl = d + "/." + QFile::encodeName(base) + ".partial-XXXXXX";
    fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd >= 0) {
        ::fchmod(fd, 0644);
        *namedTemp = tmpl;
    }
    return fd;
}

} // namespace

bool writeBundleArchive(const QString &file, const QList<BundleMember> &members, const QJsonObject &manifestExtra,
    QString *message, const WriteOptions &options)
{
    auto fail = [message](const QString &m) {
        if (message)
            *message = m;
        return false;
    };
    const QFileInfo fi(file);
    const QString dir = fi.absolutePath();
    if (!QFileInfo(dir).isDir())
        return fail(QStringLiteral("cannot write %1: the directory %2 does not exist").arg(file, dir));

    const QJsonObject manifest = makeManifest(members, manifestExtra);
    const QByteArray manifestData = QJsonDocument(manifest).toJson(QJsonDocument::Indented);
    qint64 total = manifestData.size();
    for (const BundleMember &b : members)
        total += b.data.size();

    QByteArray namedTemp;
    const int fd = openTemporary(dir, fi.fileName(), &namedTemp);
    if (fd < 0)
        return fail(QStringLiteral("cannot create a file in %1: %2. Choose a directory you can write to.")
                        .arg(dir, errnoText(errno)));
    auto cleanup = [&]() {
        ::close(fd);
        if (!namedTemp.isEmpty())
            ::unlink(namedTemp.constData());
    };

    archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    const QByteArray level = "gzip:compression-level=" + QByteArray::number(qBound(1, options.compressionLevel, 9));
    archive_write_set_options(a, level.constData());
    archive_write_set_bytes_in_last_block(a, 1);
    bool ok = archive_write_open_fd(a, fd) == ARCHIVE_OK;
    QString why;
    if (!ok)
        why = QString::fromLocal8Bit(archive_error_string(a));
    const time_t mtime = time_t(QDateTime::currentSecsSinceEpoch());
    qint64 done = 0;
    if (ok)
        ok = writeMember(a, QLatin1String(ManifestPath), manifestData, mtime, &done, total, options, &why);
    for (int i = 0; ok && i < members.size(); ++i)
        ok = writeMember(a, members.at(i).path, members.at(i).data, mtime, &done, total, options, &why);
    if (ok && archive_write_close(a) != ARCHIVE_OK) {
        ok = false;
        why = QString::fromLocal8Bit(archive_error_string(a));
    }
    archive_write_free(a);
    if (!ok) {
        cleanup();
        return fail(QStringLiteral("cannot write the bundle %1: %2").arg(file, why));
    }
    if (::fsync(fd) != 0) {
        const int e = errno;
        cleanup();
        return fail(QStringLiteral("cannot write the bundle %1: %2 (disk full?)").arg(file, errnoText(e)));
    }

    const QByteArray target = QFile::encodeName(fi.absoluteFilePath());
    if (namedTemp.isEmpty()) {
        // Give the anonymous file a hidden name, then rename it over the target (linkat cannot
        // replace an existing file). Only this instant can leave the hidden name behind.
        QByteArray tmpl = QFile::encodeName(dir) + "/." + QFile::encodeName(fi.fileName()) + ".partial-"
            + QByteArray::number(::getpid()) + '-' + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        const QByteArray procPath = "/proc/self/fd/" + QByteArray::number(fd);
        if (::linkat(AT_FDCWD, procPath.constData(), AT_FDCWD, tmpl.constData(), AT_SYMLINK_FOLLOW) != 0) {
            const int e = errno;
            cleanup();
            return fail(QStringLiteral("cannot write the bundle %1: linking the finished file failed: %2")
                            .arg(file, errnoText(e)));
        }
        namedTemp = tmpl;
    }
    if (::rename(namedTemp.constData(), target.constData()) != 0) {
        const int e = errno;
        cleanup();
        return fail(QStringLiteral("cannot write the bundle %1: %2").arg(file, errnoText(e)));
    }
    ::close(fd);
    const int dfd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    qCDebug(lcBundle) << "wrote" << file << members.size() + 1 << "members," << total << "bytes uncompressed";
    return true;
}

} // namespace kmr::bundle
