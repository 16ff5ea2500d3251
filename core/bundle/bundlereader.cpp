// SPDX-License-Identifier: GPL-2.0-or-later
// The safe bundle reader: in memory only, with caps, entry-type and path checks, and sha256.
#include "bundle/bundlearchive.h"
#include "bundle/bundlelog.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <archive.h>
#include <archive_entry.h>

namespace kmr::bundle {

QString toString(BundleError e)
{
    switch (e) {
    case BundleError::None:
        return QStringLiteral("none");
    case BundleError::CannotOpen:
        return QStringLiteral("cannot-open");
    case BundleError::NotAnArchive:
        return QStringLiteral("not-an-archive");
    case BundleError::Truncated:
        return QStringLiteral("truncated");
    case BundleError::Damaged:
        return QStringLiteral("damaged");
    case BundleError::UnsafePath:
        return QStringLiteral("unsafe-path");
    case BundleError::LinkEntry:
        return QStringLiteral("link-entry");
    case BundleError::SpecialEntry:
        return QStringLiteral("special-entry");
    case BundleError::DuplicateMember:
        return QStringLiteral("duplicate-member");
    case BundleError::MemberTooLarge:
        return QStringLiteral("member-too-large");
    case BundleError::TotalTooLarge:
        return QStringLiteral("total-too-large");
    case BundleError::MissingManifest:
        return QStringLiteral("missing-manifest");
    case BundleError::BadManifest:
        return QStringLiteral("bad-manifest");
    case BundleError::UnknownSchema:
        return QStringLiteral("unknown-schema");
    case BundleError::MissingMember:
        return QStringLiteral("missing-member");
    case BundleError::UnlistedMember:
        return QStringLiteral("unlisted-member");
    case BundleError::ChecksumMismatch:
        return QStringLiteral("checksum-mismatch");
    case BundleError::BadMember:
        return QStringLiteral("bad-member");
    }
    return QStringLiteral("unknown");
}

namespace {

QString mib(qint64 n)
{
    return QString::number(double(n) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

// Relative, '/'-separated, no "." or ".." component, no empty component, printable.
bool safeMemberPath(const QString &p)
{
    if (p.isEmpty() || p.size() > 255 || p.startsWith(QLatin1Char('/')) || p.contains(QLatin1Char('\\')))
        return false;
    QString path = p;
    if (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    for (const QString &c : path.split(QLatin1Char('/'))) {
        if (c.isEmpty() || c == QLatin1String(".") || c == QLatin1String(".."))
            return false;
    }
    for (QChar ch : p) {
        if (ch.unicode() < 0x20 || ch.unicode() == 0x7f)
            return false;
    }
    return true;
}

class Reader
{
public:
    Reader(const QString &file, const ReadLimits &limits)
        : m_file(file)
        , m_limits(limits)
    { }
    // Reads `data` (in memory) instead of a file; `name` is what messages call it.
    Reader(const QString &name, const QByteArray &data, const ReadLimits &limits)
        : m_file(name)
        , m_limits(limits)
        , m_data(data)
        , m_inMemory(true)
    { }

    bool fail(BundleError e, const QString &m)
    {
        m_error = e;
        m_message = m_file + QStringLiteral(": ") + m;
        qCDebug(lcBundle).noquote() << "rejected bundle:" << m_message;
        return false;
    }

    bool archiveFailure(archive *a, bool anyHeader)
    {
        const QString why = QString::fromLocal8Bit(archive_error_string(a) ? archive_error_string(a) : "unknown error");
        if (!anyHeader && !m_gzipMagic)
            return fail(BundleError::NotAnArchive,
                QStringLiteral(
                    "not a kmodrescue bundle: it is not a gzip-compressed tar archive (%1). "
                    "Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic Bundle wrote.")
                    .arg(why));
        if (why.contains(QLatin1String("runcated")) || why.contains(QLatin1String("remature")))
            return fail(BundleError::Truncated,
                QStringLiteral("the bundle is cut short (%1): it was not copied completely. Copy it again from "
                               "the machine that wrote it.")
                    .arg(why));
        return fail(BundleError::Damaged,
            QStringLiteral("the bundle is damaged (%1). Copy it again, or export a new one.").arg(why));
    }

    bool readEntries(BundleArchive *out, QByteArray *manifestData)
    {
        if (m_inMemory) {
            m_gzipMagic = m_data.startsWith(QByteArray("\x1f\x8b", 2));
            archive *a = archive_read_new();
            archive_read_support_filter_gzip(a);
            archive_read_support_format_tar(a);
            const bool ok = readAll(a, out, manifestData);
            archive_read_free(a);
            return ok;
        }
        QFile f(m_file);
        if (!f.open(QIODevice::ReadOnly))
            return fail(BundleError::CannotOpen, QStringLiteral("cannot read the bundle: %1").arg(f.errorString()));
        m_gzipMagic = f.read(2) == QByteArray("\x1f\x8b", 2); // a gzip file that fails is damaged, not foreign
        f.close();
        archive *a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
        const bool ok = readAll(a, out, manifestData);
        archive_read_free(a);
        return ok;
    }

    bool readAll(archive *a, BundleArchive *out, QByteArray *manifestData)
    {
        const int opened = m_inMemory ? archive_read_open_memory(a, m_data.constData(), size_t(m_data.size()))
                                      : archive_read_open_filename(a, QFile::encodeName(m_file).constData(), 1 << 16);
        if (opened != ARCHIVE_OK)
            return archiveFailure(a, false);
        QSet<QString> seen;
        qint64 total = 0;
        bool anyHeader = false;
        bool haveManifest = false;
        for (;;) {
            archive_entry *e = nullptr;
            const int r = archive_read_next_header(a, &e);
            if (r == ARCHIVE_EOF)
                break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                return archiveFailure(a, anyHeader);
            anyHeader = true;
            const char *raw = archive_entry_pathname_utf8(e);
            if (!raw)
                raw = archive_entry_pathname(e);
            const QString path = QString::fromUtf8(raw ? raw : "");
            if (!safeMemberPath(path))
                return fail(BundleError::UnsafePath,
                    QStringLiteral("member '%1' has an unsafe name (absolute, \"..\", or control characters). "
                                   "A bundle kmodrescue wrote never has one: do not trust this file.")
                        .arg(path));
            if (archive_entry_hardlink(e) || archive_entry_filetype(e) == AE_IFLNK)
                return fail(BundleError::LinkEntry,
                    QStringLiteral("member '%1' is a link. Bundles hold plain files only: do not trust this file.")
                        .arg(path));
            if (archive_entry_filetype(e) == AE_IFDIR)
                continue;
            if (archive_entry_filetype(e) != AE_IFREG)
                return fail(BundleError::SpecialEntry,
                    QStringLiteral("member '%1' is a device node, fifo or socket. Bundles hold plain files only: "
                                   "do not trust this file.")
                        .arg(path));
            if (seen.contains(path))
                return fail(BundleError::DuplicateMember,
                    QStringLiteral("member '%1' appears twice. Export the bundle again.").arg(path));
            seen.insert(path);
            const qint64 declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
            if (declared > m_limits.maxMemberSize)
                return tooLarge(path, declared);
            if (total + declared > m_limits.maxTotalSize)
                return totalTooLarge(total + declared);
            QByteArray data;
            data.reserve(qMax<qint64>(0, declared));
            char buf[1 << 16];
            for (;;) {
                const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
                if (n == 0)
                    break;
                if (n < 0)
                    return archiveFailure(a, true);
                if (data.size() + n > m_limits.maxMemberSize)
                    return tooLarge(path, data.size() + n);
                if (total + n > m_limits.maxTotalSize)
                    return totalTooLarge(total + n);
                data.append(buf, n);
                total += n;
            }
            if (path == QLatin1String(ManifestPath)) {
                *manifestData = data;
                haveManifest = true;
            } else {
                out->members.insert(path, data);
            }
        }
        if (!anyHeader)
            return fail(BundleError::NotAnArchive,
                QStringLiteral("the archive is empty: not a kmodrescue bundle. Export the bundle again."));
        if (!haveManifest)
            return fail(BundleError::MissingManifest,
                QStringLiteral("no manifest.json: this is a tar.gz, but not a kmodrescue bundle (or a damaged one). "
                               "Export the bundle again with `kmodrescue-cli bundle`."));
        return true;
    }

    bool tooLarge(const QString &path, qint64 size)
    {
        return fail(BundleError::MemberTooLarge,
            QStringLiteral("member '%1' is %2 uncompressed, over the %3 a member may have. kmodrescue never writes "
                           "one that large: the file is not a bundle it wrote (possibly a decompression bomb).")
                .arg(path, mib(size), mib(m_limits.maxMemberSize)));
    }

    bool totalTooLarge(qint64 size)
    {
        return fail(BundleError::TotalTooLarge,
            QStringLiteral("the bundle unpacks to more than %1 (at least %2): refused as a decompression bomb. "
                           "If it is genuine, export it again with a shorter kernel log.")
                .arg(mib(m_limits.maxTotalSize), mib(size)));
    }

    bool checkManifest(const QByteArray &manifestData, BundleArchive *out)
    {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(manifestData, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject())
            return fail(BundleError::BadManifest,
                QStringLiteral("manifest.json is not valid JSON (%1 at byte %2). Export the bundle again.")
                    .arg(pe.errorString())
                    .arg(pe.offset));
        const QJsonObject m = doc.object();
        if (m.value(QStringLiteral("schema")).toString() != QLatin1String(BundleSchema))
            return fail(BundleError::UnknownSchema,
                QStringLiteral("manifest.json names the schema '%1', not '%2': this is not a kmodrescue bundle.")
                    .arg(m.value(QStringLiteral("schema")).toString(), QLatin1String(BundleSchema)));
        const int version = m.value(QStringLiteral("schema_version")).toInt(-1);
        if (version != BundleSchemaVersion)
            return fail(BundleError::UnknownSchema,
                QStringLiteral(
                    "the bundle has schema version %1 (written by kmodrescue %2); this build reads version %3 "
                    "only. Open it with a kmodrescue at least as new as the one that wrote it.")
                    .arg(m.value(QStringLiteral("schema_version")).toVariant().toString(),
                        m.value(QStringLiteral("tool_version")).toString(QStringLiteral("unknown")))
                    .arg(BundleSchemaVersion));
        const QJsonValue list = m.value(QStringLiteral("members"));
        if (!list.isArray())
            return fail(BundleError::BadManifest,
                QStringLiteral("manifest.json has no \"members\" list. Export the bundle again."));
        QSet<QString> listed;
        for (const QJsonValue &v : list.toArray()) {
            const QJsonObject o = v.toObject();
            const QString path = o.value(QStringLiteral("path")).toString();
            const QString sha = o.value(QStringLiteral("sha256")).toString();
            if (path.isEmpty() || sha.size() != 64)
                return fail(BundleError::BadManifest,
                    QStringLiteral("manifest.json lists a member without a path or sha256. Export the bundle again."));
            listed.insert(path);
            const auto it = out->members.constFind(path);
            if (it == out->members.constEnd())
                return fail(BundleError::MissingMember,
                    QStringLiteral("member '%1' is listed in manifest.json but missing from the archive. "
                                   "Export the bundle again.")
                        .arg(path));
            const QString actual
                = QString::fromLatin1(QCryptographicHash::hash(*it, QCryptographicHash::Sha256).toHex());
            if (actual.compare(sha, Qt::CaseInsensitive) != 0)
                return fail(BundleError::ChecksumMismatch,
                    QStringLiteral("member '%1' does not match its sha256 in manifest.json (changed after export, "
                                   "or damaged in transfer). Copy the bundle again.")
                        .arg(path));
        }
        for (auto it = out->members.constBegin(); it != out->members.constEnd(); ++it) {
            if (!listed.contains(it.key()))
                return fail(BundleError::UnlistedMember,
                    QStringLiteral("member '%1' is not listed in manifest.json (added after export). "
                                   "Do not trust this file; export the bundle again.")
                        .arg(it.key()));
        }
        out->manifest = m;
        return true;
    }

    BundleError error() const { return m_error; }
    QString message() const { return m_message; }

private:
    QString m_file;
    ReadLimits m_limits;
    BundleError m_error = BundleError::None;
    QString m_message;
    QByteArray m_data;
    bool m_inMemory = false;
    bool m_gzipMagic = false;
};

bool finish(Reader &r, const QByteArray &manifestData, BundleArchive &result, bool ok, BundleArchive *out,
    BundleError *error, QString *message)
{
    ok = ok && r.checkManifest(manifestData, &result);
    if (error)
        *error = r.error();
    if (message)
        *message = r.message();
    if (ok && out)
        *out = std::move(result);
    return ok;
}

} // namespace

bool readBundleArchive(
    const QString &file, BundleArchive *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    Reader r(file, limits);
    BundleArchive result;
    QByteArray manifestData;
    const bool ok = r.readEntries(&result, &manifestData);
    return finish(r, manifestData, result, ok, out, error, message);
}

bool readBundleArchiveData(const QByteArray &data, const QString &name, BundleArchive *out, BundleError *error,
    QString *message, const ReadLimits &limits)
{
    Reader r(name, data, limits);
    BundleArchive result;
    QByteArray manifestData;
    const bool ok = r.readEntries(&result, &manifestData);
    return finish(r, manifestData, result, ok, out, error, message);
}

} // namespace kmr::bundle
