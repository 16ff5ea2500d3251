// SPDX-License-Identifier: GPL-2.0-or-later
// The bundle reader: archivereader.h's safe in-memory reader, then the manifest and every sha256.
#include "bundle/archivereader.h"
#include "bundle/bundlelog.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

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
    case BundleError::NotASosReport:
        return QStringLiteral("not-a-sosreport");
    case BundleError::NoModuleList:
        return QStringLiteral("no-module-list");
    case BundleError::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

const ArchiveRules &bundleRules()
{
    static const ArchiveRules rules {QStringLiteral("bundle"), QStringLiteral("kmodrescue"),
        QStringLiteral("a gzip-compressed tar archive"),
        QStringLiteral("Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic Bundle wrote."),
        QStringLiteral("Export it again with `kmodrescue-cli bundle -o FILE` (or File > Export Diagnostic Bundle)."),
        {}, {}, false, false, {}};
    return rules;
}

namespace {

QString exportAgain()
{
    return QStringLiteral(" ") + bundleRules().getAgain;
}

struct ManifestCheck {
    QString file;
    BundleError error = BundleError::None;
    QString message;

    bool fail(BundleError e, const QString &m)
    {
        error = e;
        message = file + QStringLiteral(": ") + m;
        qCDebug(lcBundle).noquote() << "rejected bundle:" << message;
        return false;
    }

    bool checkVersion(const QJsonObject &m)
    {
        if (m.value(QStringLiteral("schema")).toString() != QLatin1String(BundleSchema))
            return fail(BundleError::UnknownSchema,
                QStringLiteral("manifest.json names the schema '%1', not '%2': not a kmodrescue bundle. ")
                        .arg(m.value(QStringLiteral("schema")).toString(), QLatin1String(BundleSchema))
                    + bundleRules().whatToOpen);
        const int version = m.value(QStringLiteral("schema_version")).toInt(-1);
        return version == BundleSchemaVersion || fail(BundleError::UnknownSchema, versionMessage(m, version));
    }

    // A newer schema needs a newer kmodrescue; an older or bogus one, a new export.
    static QString versionMessage(const QJsonObject &m, int version)
    {
        const QString writer = m.value(QStringLiteral("tool_version")).toString();
        const QString what
            = QStringLiteral("the bundle has schema version %1 (written by kmodrescue %2); this kmodrescue (%3) reads "
                             "version %4 only.")
                  .arg(m.value(QStringLiteral("schema_version")).toVariant().toString(),
                      writer.isEmpty() ? QStringLiteral("unknown") : writer, QStringLiteral(KMR_VERSION))
                  .arg(BundleSchemaVersion);
        if (version < BundleSchemaVersion)
            return what + exportAgain();
        if (writer.isEmpty())
            return what + QStringLiteral(" Update kmodrescue to the version that wrote it, or newer.");
        return what + QStringLiteral(" Update kmodrescue to %1 or newer to open it.").arg(writer);
    }

    bool checkMembers(const QJsonObject &m, const QMap<QString, QByteArray> &members)
    {
        const QJsonValue list = m.value(QStringLiteral("members"));
        if (!list.isArray())
            return fail(
                BundleError::BadManifest, QStringLiteral("manifest.json has no \"members\" list.") + exportAgain());
        QSet<QString> listed;
        for (const QJsonValue &v : list.toArray()) {
            const QJsonObject o = v.toObject();
            const QString path = o.value(QStringLiteral("path")).toString();
            const QString sha = o.value(QStringLiteral("sha256")).toString();
            if (path.isEmpty() || sha.size() != 64)
                return fail(BundleError::BadManifest,
                    QStringLiteral("manifest.json lists a member without a path or sha256.") + exportAgain());
            listed.insert(path);
            const auto it = members.constFind(path);
            if (it == members.constEnd())
                return fail(BundleError::MissingMember,
                    QStringLiteral("member '%1' is listed in manifest.json but missing from the archive.").arg(path)
                        + exportAgain());
            const QString actual
                = QString::fromLatin1(QCryptographicHash::hash(*it, QCryptographicHash::Sha256).toHex());
            if (actual.compare(sha, Qt::CaseInsensitive) != 0)
                return fail(BundleError::ChecksumMismatch,
                    copyAgainMessage(bundleRules(),
                        QStringLiteral("member '%1' does not match its sha256 in manifest.json (changed after export, "
                                       "or damaged in transfer)")
                            .arg(path)));
        }
        for (auto it = members.constBegin(); it != members.constEnd(); ++it) {
            if (!listed.contains(it.key()))
                return fail(BundleError::UnlistedMember,
                    untrustedMessage(bundleRules(),
                        QStringLiteral("member '%1' is not listed in manifest.json (added after export)")
                            .arg(it.key())));
        }
        return true;
    }

    bool check(ArchiveEntries &entries, BundleArchive *out)
    {
        const auto manifest = entries.files.constFind(QLatin1String(ManifestPath));
        if (manifest == entries.files.constEnd())
            return fail(BundleError::MissingManifest,
                QStringLiteral("no manifest.json: a .tar.gz, but not a kmodrescue bundle (or a damaged one).")
                    + exportAgain());
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(*manifest, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject())
            return fail(BundleError::BadManifest,
                QStringLiteral("manifest.json is not valid JSON (%1 at byte %2).").arg(pe.errorString()).arg(pe.offset)
                    + exportAgain());
        entries.files.erase(manifest);
        if (!checkVersion(doc.object()) || !checkMembers(doc.object(), entries.files))
            return false;
        out->manifest = doc.object();
        out->members = std::move(entries.files);
        return true;
    }
};

bool readBundle(const QString &file, const QByteArray *data, BundleArchive *out, BundleError *error, QString *message,
    const ReadLimits &limits)
{
    ArchiveEntries entries;
    if (!readArchiveEntries(file, data, bundleRules(), limits, &entries, error, message))
        return false;
    ManifestCheck check;
    check.file = file;
    BundleArchive result;
    const bool ok = check.check(entries, &result);
    if (error)
        *error = check.error;
    if (message)
        *message = check.message;
    if (ok && out)
        *out = std::move(result);
    return ok;
}

} // namespace

bool readBundleArchive(
    const QString &file, BundleArchive *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    return readBundle(file, nullptr, out, error, message, limits);
}

bool readBundleArchiveData(const QByteArray &data, const QString &name, BundleArchive *out, BundleError *error,
    QString *message, const ReadLimits &limits)
{
    return readBundle(name, &data, out, error, message, limits);
}

} // namespace kmr::bundle
