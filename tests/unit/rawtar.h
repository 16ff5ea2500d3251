// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Writes tar archives entry by entry with libarchive, for tests that build archives kmodrescue
// must read (a sosreport packed from its fixture directory) or must refuse (absolute names,
// links, devices, bombs), and reads and writes the files they damage on purpose. Shared by
// tst_bundle and tst_sosreport.

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QList>
#include <QString>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

#include <unistd.h>

namespace kmr::test {

// One raw tar entry.
struct RawEntry {
    QString path;
    QByteArray data;
    unsigned type = AE_IFREG;
    QString link; // symlink or hardlink target
    bool hardlink = false;
    qint64 zeros = 0; // when > 0: the data is this many zero bytes (written in chunks)
};

inline RawEntry entry(const QString &path, const QByteArray &data, unsigned type = AE_IFREG, const QString &link = {},
    bool hardlink = false, qint64 zeros = 0)
{
    return RawEntry {path, data, type, link, hardlink, zeros};
}

// The compression: "gzip" (level 1), "xz", "bzip2", "zstd" or "none".
inline bool writeRawTar(const QString &file, const QList<RawEntry> &entries, const QByteArray &filter = "gzip")
{
    archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == "gzip") {
        archive_write_add_filter_gzip(a);
        archive_write_set_options(a, "gzip:compression-level=1");
    } else if (filter == "xz") {
        archive_write_add_filter_xz(a);
    } else if (filter == "bzip2") {
        archive_write_add_filter_bzip2(a);
    } else if (filter == "zstd") {
        archive_write_add_filter_zstd(a);
    }
    if (archive_write_open_filename(a, QFile::encodeName(file).constData()) != ARCHIVE_OK) {
        archive_write_free(a);
        return false;
    }
    const QByteArray chunk(1 << 20, '\0');
    for (const RawEntry &r : entries) {
        archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, r.path.toUtf8().constData());
        archive_entry_set_filetype(e, r.type);
        archive_entry_set_perm(e, r.type == AE_IFDIR ? 0755 : 0644);
        if (r.type == AE_IFLNK)
            archive_entry_set_symlink(e, r.link.toUtf8().constData());
        if (r.hardlink)
            archive_entry_set_hardlink(e, r.link.toUtf8().constData());
        const qint64 size = r.type == AE_IFREG && !r.hardlink ? (r.zeros > 0 ? r.zeros : r.data.size()) : 0;
        archive_entry_set_size(e, size);
        archive_write_header(a, e);
        archive_entry_free(e);
        if (r.zeros > 0) {
            for (qint64 left = r.zeros; left > 0; left -= chunk.size())
                archive_write_data(a, chunk.constData(), size_t(qMin<qint64>(left, chunk.size())));
        } else if (size > 0) {
            archive_write_data(a, r.data.constData(), size_t(r.data.size()));
        }
    }
    const bool ok = archive_write_close(a) == ARCHIVE_OK;
    archive_write_free(a);
    return ok;
}

// The whole file; empty when it cannot be read.
inline QByteArray readAll(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Writes `data` to `file`, making its directory first.
inline void writeFile(const QString &file, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(file).path());
    QFile f(file);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(file + ": " + f.errorString()));
    f.write(data);
}

// A directory as tar entries under `top` (as sos packs its report: one top directory), with
// its subdirectories and its links as links.
inline QList<RawEntry> entriesOfDirectory(const QString &dir, const QString &top)
{
    QList<RawEntry> out {entry(top, {}, AE_IFDIR)};
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        const QString path = top + QLatin1Char('/') + fi.filePath().mid(dir.size() + 1);
        if (fi.isSymLink()) {
            char target[4096] = {};
            const ssize_t n = ::readlink(QFile::encodeName(fi.filePath()).constData(), target, sizeof target - 1);
            out << entry(path, {}, AE_IFLNK, QString::fromUtf8(target, n > 0 ? int(n) : 0));
        } else if (fi.isDir()) {
            out << entry(path, {}, AE_IFDIR);
        } else {
            QFile f(fi.filePath());
            if (f.open(QIODevice::ReadOnly))
                out << entry(path, f.readAll());
        }
    }
    return out;
}

} // namespace kmr::test
