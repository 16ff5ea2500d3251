// SPDX-License-Identifier: GPL-2.0-or-later
// The safe in-memory tar reader shared by bundles and sosreports.
#include "bundle/archivereader.h"
#include "bundle/bundlelog.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <archive.h>
#include <archive_entry.h>

namespace kmr::bundle {

QString mib(qint64 n)
{
    return QString::number(double(n) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

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

QString resolveLinkTarget(const QString &linkPath, const QString &target)
{
    if (target.isEmpty() || target.startsWith(QLatin1Char('/')))
        return {};
    QStringList walked = linkPath.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!walked.isEmpty())
        walked.removeLast();
    for (const QString &c : target.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (c == QLatin1String("..")) {
            if (walked.isEmpty())
                return {};
            walked.removeLast();
        } else if (c != QLatin1String(".")) {
            walked << c;
        }
    }
    return walked.join(QLatin1Char('/'));
}

QString cannotReadMessage(const ArchiveRules &rules, const QString &file, const QString &why)
{
    if (!QFileInfo::exists(file))
        return QStringLiteral("no such file or directory. Check the path and the name.");
    return QStringLiteral("cannot read the %1 (%2). Check that you may read it (ls -l), or copy it where you can.")
        .arg(rules.noun, why);
}

QString untrustedMessage(const ArchiveRules &rules, const QString &what)
{
    return what + QStringLiteral(": do not trust this %1. ").arg(rules.noun) + rules.getAgain;
}

QString getAgainClause(const ArchiveRules &rules)
{
    QString getAgain = rules.getAgain;
    if (!getAgain.isEmpty())
        getAgain[0] = getAgain.at(0).toLower();
    return getAgain;
}

QString copyAgainMessage(const ArchiveRules &rules, const QString &what)
{
    return what + QStringLiteral(". Copy it again; if that does not help, ") + getAgainClause(rules);
}

QString linkOutsideMessage(const ArchiveRules &rules, const QString &path, const QString &target)
{
    return untrustedMessage(rules,
        QStringLiteral("member '%1' is a link to '%2', outside the %3, which %4 never writes")
            .arg(path, target, rules.noun, rules.writer));
}

QString specialEntryMessage(const ArchiveRules &rules, const QString &path)
{
    return untrustedMessage(rules,
        QStringLiteral("member '%1' is a device node, fifo or socket where a %2 has a plain file")
            .arg(path, rules.noun));
}

QString memberTooLargeMessage(const ArchiveRules &rules, const ReadLimits &limits, const QString &path, qint64 size)
{
    const QString what = QStringLiteral("member '%1' is %2 uncompressed, over the %3 limit for one member")
                             .arg(path, mib(size), mib(limits.maxMemberSize));
    if (rules.overMember.isEmpty())
        return untrustedMessage(rules, what + QStringLiteral(", more than %1 ever writes").arg(rules.writer));
    return what + QStringLiteral(". ") + rules.overMember;
}

QString totalTooLargeMessage(const ArchiveRules &rules, qint64 cap, qint64 size)
{
    const QString what
        = QStringLiteral("the %1 unpacks to more than %2 (at least %3)").arg(rules.noun, mib(cap), mib(size));
    if (rules.overTotal.isEmpty())
        return untrustedMessage(
            rules, what + QStringLiteral(", more than %1 ever writes (a decompression bomb?)").arg(rules.writer));
    return what + QStringLiteral(". ") + rules.overTotal;
}

bool readCancelled(
    const QString &file, const ArchiveRules &rules, const ReadLimits &limits, BundleError *error, QString *message)
{
    if (!limits.cancelled || !limits.cancelled())
        return false;
    if (error)
        *error = BundleError::Cancelled;
    if (message)
        *message = file + QStringLiteral(": reading the %1 was cancelled. Open it again to see it.").arg(rules.noun);
    return true;
}

bool nonGzipTarMagic(const QByteArray &head)
{
    return head.startsWith(QByteArray("\xfd"
                                      "7zXZ\0",
               6))
        || head.startsWith("BZh") || head.startsWith(QByteArray("\x28\xb5\x2f\xfd", 4)) || head.mid(257, 5) == "ustar";
}

namespace {

bool compressedMagic(const QByteArray &head, bool anyCompression)
{
    if (head.startsWith(QByteArray("\x1f\x8b", 2)))
        return true;
    return anyCompression && nonGzipTarMagic(head);
}

class EntryReader
{
public:
    EntryReader(const QString &file, const QByteArray *data, const ArchiveRules &rules, const ReadLimits &limits)
        : m_file(file)
        , m_data(data)
        , m_rules(rules)
        , m_limits(limits)
    { }

    bool run(ArchiveEntries *out)
    {
        QByteArray head;
        if (m_data) {
            head = m_data->left(512);
        } else {
            QFile f(m_file);
            if (!f.open(QIODevice::ReadOnly))
                return fail(BundleError::CannotOpen, cannotReadMessage(m_rules, m_file, f.errorString()));
            head = f.read(512);
        }
        m_magic = compressedMagic(head, m_rules.anyCompression); // a known format that fails is damaged
        archive *a = archive_read_new();
        archive_read_support_filter_gzip(a);
        if (m_rules.anyCompression) {
            archive_read_support_filter_xz(a);
            archive_read_support_filter_bzip2(a);
            archive_read_support_filter_zstd(a);
        }
        archive_read_support_format_tar(a);
        const bool ok = readAll(a, out);
        archive_read_free(a);
        return ok;
    }

    BundleError error() const { return m_error; }
    QString message() const { return m_message; }

private:
    bool fail(BundleError e, const QString &m)
    {
        m_error = e;
        m_message = m_file + QStringLiteral(": ") + m;
        qCDebug(lcBundle).noquote() << "rejected archive:" << m_message;
        return false;
    }

    bool archiveFailure(archive *a, bool anyHeader)
    {
        const QString why = QString::fromLocal8Bit(archive_error_string(a) ? archive_error_string(a) : "unknown error");
        if (!anyHeader && !m_magic)
            return fail(BundleError::NotAnArchive,
                QStringLiteral("not a %1: it is not %2 (%3). %4")
                    .arg(m_rules.noun == QLatin1String("bundle") ? QStringLiteral("kmodrescue bundle") : m_rules.noun,
                        m_rules.formats, why, m_rules.whatToOpen));
        // gzip says "truncated" or "premature end"; liblzma "No progress is possible" (input ran out).
        if (why.contains(QLatin1String("runcated")) || why.contains(QLatin1String("remature"))
            || why.contains(QLatin1String("No progress is possible")))
            return fail(BundleError::Truncated,
                copyAgainMessage(m_rules,
                    QStringLiteral("the %1 is cut short (%2): it was not copied completely").arg(m_rules.noun, why)));
        return fail(BundleError::Damaged,
            copyAgainMessage(m_rules, QStringLiteral("the %1 is damaged (%2)").arg(m_rules.noun, why)));
    }

    bool untrusted(BundleError e, const QString &what) { return fail(e, untrustedMessage(m_rules, what)); }

    bool tooLarge(const QString &path, qint64 size)
    {
        return fail(BundleError::MemberTooLarge, memberTooLargeMessage(m_rules, m_limits, path, size));
    }

    bool totalTooLarge(qint64 cap, qint64 size)
    {
        return fail(BundleError::TotalTooLarge, totalTooLargeMessage(m_rules, cap, size));
    }

    bool wanted(const QString &path) const { return !m_rules.wanted || m_rules.wanted(path); }

    // A link: an error, or (keepLinks) an alias that must stay inside the archive.
    bool link(archive_entry *e, const QString &path, ArchiveEntries *out)
    {
        const char *hard = archive_entry_hardlink_utf8(e) ? archive_entry_hardlink_utf8(e) : archive_entry_hardlink(e);
        const char *sym = archive_entry_symlink_utf8(e) ? archive_entry_symlink_utf8(e) : archive_entry_symlink(e);
        if (!m_rules.keepLinks)
            return untrusted(BundleError::LinkEntry,
                QStringLiteral("member '%1' is a link, which %2 never writes").arg(path, m_rules.writer));
        const QString target = QString::fromUtf8(hard ? hard : sym ? sym : "");
        const QString resolved = hard ? (safeMemberPath(target) ? target : QString()) : resolveLinkTarget(path, target);
        if (resolved.isEmpty())
            return fail(BundleError::LinkEntry, linkOutsideMessage(m_rules, path, target));
        out->links.insert(path, resolved);
        return count(path.size() + resolved.size(), false);
    }

    // Adds `n` bytes to the scanned total, and to the kept total when `kept`.
    bool count(qint64 n, bool kept)
    {
        if (readCancelled(m_file, m_rules, m_limits, &m_error, &m_message))
            return false;
        m_scanned += n;
        if (m_scanned > m_limits.maxScannedSize)
            return totalTooLarge(m_limits.maxScannedSize, m_scanned);
        m_total += kept ? n : 0;
        if (m_total > m_limits.maxTotalSize)
            return totalTooLarge(m_limits.maxTotalSize, m_total);
        return true;
    }

    bool readData(archive *a, const QString &path, qint64 declared, QByteArray *data)
    {
        data->reserve(qMax<qint64>(0, declared));
        char buf[1 << 16];
        for (;;) {
            const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
            if (n == 0)
                return true;
            if (n < 0)
                return archiveFailure(a, true);
            if (data->size() + n > m_limits.maxMemberSize)
                return tooLarge(path, data->size() + n);
            if (!count(n, true))
                return false;
            data->append(buf, n);
        }
    }

    bool entry(archive *a, archive_entry *e, ArchiveEntries *out)
    {
        const char *raw = archive_entry_pathname_utf8(e);
        if (!raw)
            raw = archive_entry_pathname(e);
        QString path = QString::fromUtf8(raw ? raw : "");
        if (!safeMemberPath(path))
            return untrusted(BundleError::UnsafePath,
                QStringLiteral("member '%1' has an unsafe name (absolute, \"..\", or control characters), which %2 "
                               "never writes")
                    .arg(path, m_rules.writer));
        if (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        if (archive_entry_hardlink(e) || archive_entry_filetype(e) == AE_IFLNK)
            return link(e, path, out);
        if (archive_entry_filetype(e) == AE_IFDIR)
            return true;
        if (archive_entry_filetype(e) != AE_IFREG) {
            if (wanted(path))
                return fail(BundleError::SpecialEntry, specialEntryMessage(m_rules, path));
            out->skippedSpecial << path;
            return true;
        }
        const qint64 declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (!wanted(path)) // the decompressor still has to get past it
            return count(qMax<qint64>(0, declared), false);
        if (out->files.contains(path))
            return untrusted(BundleError::DuplicateMember,
                QStringLiteral("member '%1' appears twice, which %2 never writes").arg(path, m_rules.writer));
        if (declared > m_limits.maxMemberSize)
            return tooLarge(path, declared);
        if (m_total + declared > m_limits.maxTotalSize)
            return totalTooLarge(m_limits.maxTotalSize, m_total + declared);
        QByteArray data;
        if (!readData(a, path, declared, &data))
            return false;
        out->files.insert(path, data);
        return true;
    }

    bool readAll(archive *a, ArchiveEntries *out)
    {
        const int opened = m_data ? archive_read_open_memory(a, m_data->constData(), size_t(m_data->size()))
                                  : archive_read_open_filename(a, QFile::encodeName(m_file).constData(), 1 << 16);
        if (opened != ARCHIVE_OK)
            return archiveFailure(a, false);
        bool anyHeader = false;
        for (;;) {
            archive_entry *e = nullptr;
            const int r = archive_read_next_header(a, &e);
            if (r == ARCHIVE_EOF)
                break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                return archiveFailure(a, anyHeader);
            anyHeader = true;
            if (!entry(a, e, out))
                return false;
        }
        if (!anyHeader)
            return fail(BundleError::NotAnArchive,
                QStringLiteral("the archive is empty, not a %1. %2").arg(m_rules.noun, m_rules.whatToOpen));
        return true;
    }

    QString m_file;
    const QByteArray *m_data;
    const ArchiveRules &m_rules;
    ReadLimits m_limits;
    BundleError m_error = BundleError::None;
    QString m_message;
    bool m_magic = false;
    qint64 m_total = 0; // bytes kept in memory
    qint64 m_scanned = 0; // bytes decompressed, kept or skipped
};

} // namespace

bool readArchiveEntries(const QString &file, const QByteArray *data, const ArchiveRules &rules,
    const ReadLimits &limits, ArchiveEntries *out, BundleError *error, QString *message)
{
    EntryReader r(file, data, rules, limits);
    ArchiveEntries result;
    const bool ok = r.run(&result);
    if (error)
        *error = r.error();
    if (message)
        *message = r.message();
    if (ok && out)
        *out = std::move(result);
    return ok;
}

} // namespace kmr::bundle
