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

namespace {

const ArchiveRules &bundleRules()
{
    static const ArchiveRules rules {QStringLiteral("bundle"), QStringLiteral("kmodrescue"),
        QStringLiteral("a gzip-compressed tar archive"),
        QStringLiteral("Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic Bundle wrote."),
        QStringLiteral("Export the bundle again."), false, false, {}};
    return rules;
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
                QStringLiteral("manifest.json names the schema '%1', not '%2': this is not a kmodrescue bundle.")
                    .arg(m.value(QStringLiteral("schema")).toString(), QLatin1String(BundleSchema)));
        if (m.value(QStringLiteral("schema_version")).toInt(-1) != BundleSchemaVersion)
            return fail(BundleError::UnknownSchema,
                QStringLiteral(
                    "the bundle has schema version %1 (written by kmodrescue %2); this build reads version %3 "
                    "only. Open it with a kmodrescue at least as new as the one that wrote it.")
                    .arg(m.value(QStringLiteral("schema_version")).toVariant().toString(),
                        m.value(QStringLiteral("tool_version")).toString(QStringLiteral("unknown")))
                    .arg(BundleSchemaVersion));
        return true;
    }

    bool checkMembers(const QJsonObject &m, const QMap<QString, QByteArray> &members)
    {
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
            const auto it = members.constFind(path);
            if (it == members.constEnd())
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
        for (auto it = members.constBegin(); it != members.constEnd(); ++it) {
            if (!listed.contains(it.key()))
                return fail(BundleError::UnlistedMember,
                    QStringLiteral("member '%1' is not listed in manifest.json (added after export). "
                                   "Do not trust this file; export the bundle again.")
                        .arg(it.key()));
        }
        return true;
    }

    bool check(ArchiveEntries &entries, BundleArchive *out)
    {
        const auto manifest = entries.files.constFind(QLatin1String(ManifestPath));
        if (manifest == entries.files.constEnd())
            return fail(BundleError::MissingManifest,
                QStringLiteral("no manifest.json: this is a tar.gz, but not a kmodrescue bundle (or a damaged one). "
                               "Export the bundle again with `kmodrescue-cli bundle`."));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(*manifest, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject())
            return fail(BundleError::BadManifest,
                QStringLiteral("manifest.json is not valid JSON (%1 at byte %2). Export the bundle again.")
                    .arg(pe.errorString())
                    .arg(pe.offset));
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
