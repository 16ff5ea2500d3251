// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The safe tar reader under bundles and sosreports. An archive is read in memory, never
// extracted to disk: absolute and ".." names are refused, links are refused (or, for a
// sosreport, kept as in-memory aliases when they stay inside it), device nodes, fifos and
// sockets are refused where a member is read, each member and the total are capped.

#include "bundle/bundlearchive.h"

#include <functional>

namespace kmr::bundle {

// What a kind of archive may hold, and how messages speak of it.
struct ArchiveRules {
    QString noun; // "bundle", "sosreport"
    QString writer; // who writes good ones: "kmodrescue", "sos report"
    QString formats; // "a gzip-compressed tar archive"
    QString whatToOpen; // advice when the file is not such an archive at all
    QString getAgain; // advice when it is damaged or not to be trusted: "Export it again with ..."
    // Advice when one member, or all of them together, are over ReadLimits' caps. Empty: the
    // writer never writes that much, so the file is not to be trusted (getAgain).
    QString overMember;
    QString overTotal;
    bool anyCompression = false; // gzip only; or gzip, xz, bzip2, zstd and uncompressed tar
    bool keepLinks = false; // relative links that stay inside: kept in `links`; otherwise an error
    // The members to read into memory; the others are checked and skipped. Null: every member.
    std::function<bool(const QString &path)> wanted;
};

struct ArchiveEntries {
    QMap<QString, QByteArray> files; // the members read, by path
    QMap<QString, QString> links; // keepLinks: path -> the path it points at, from the archive's top
    QStringList skippedSpecial; // device nodes, fifos and sockets that were not wanted
};

// Reads `file`, or `data` when it is not null (`file` then only names it in messages). false
// with *error and *message (what is wrong, what to do) on any failure.
bool readArchiveEntries(const QString &file, const QByteArray *data, const ArchiveRules &rules,
    const ReadLimits &limits, ArchiveEntries *out, BundleError *error, QString *message);

// Relative, '/'-separated, no "." or ".." component, no empty component, printable.
bool safeMemberPath(const QString &path);

// "a/b" + "../c" -> "a/c"; empty when it climbs above the top or is absolute.
QString resolveLinkTarget(const QString &linkPath, const QString &target);

QString mib(qint64 bytes); // "1.0 MiB"

// Whether the first 512 bytes of a file begin an xz, bzip2 or zstd stream, or are an
// uncompressed tar header (gzip, the bundles' compression, is not among them).
bool nonGzipTarMagic(const QByteArray &head);

// The rules of a kmodrescue bundle (bundlereader.cpp), whose advice the bundle's readers share.
const ArchiveRules &bundleRules();

// The messages the archive reader and the unpacked-directory reader (sostree.h) share. Each is
// what is wrong, then what to do next; the caller puts the file's name in front.
QString cannotReadMessage(const ArchiveRules &rules, const QString &file, const QString &why);
QString untrustedMessage(const ArchiveRules &rules, const QString &what); // what + "do not trust it" + getAgain
QString copyAgainMessage(const ArchiveRules &rules, const QString &what); // what + copy again, else getAgain
QString getAgainClause(const ArchiveRules &rules); // getAgain to follow "; if not, ": "export it again ..."
QString linkOutsideMessage(const ArchiveRules &rules, const QString &path, const QString &target);
QString specialEntryMessage(const ArchiveRules &rules, const QString &path);
QString memberTooLargeMessage(const ArchiveRules &rules, const ReadLimits &limits, const QString &path, qint64 size);
QString totalTooLargeMessage(const ArchiveRules &rules, qint64 cap, qint64 size);
// Whether limits.cancelled says stop; then *error and *message say the read was cancelled.
bool readCancelled(
    const QString &file, const ArchiveRules &rules, const ReadLimits &limits, BundleError *error, QString *message);

} // namespace kmr::bundle
