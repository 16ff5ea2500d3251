// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The bundle file itself: a gzip-compressed tar whose first member is manifest.json. This layer
// knows members as bytes; bundlecontents.h knows what they mean.

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>

namespace kmr::bundle {

inline constexpr auto BundleSchema = "kmodrescue.bundle";
constexpr int BundleSchemaVersion = 1;
inline constexpr auto ManifestPath = "manifest.json";

struct BundleMember {
    QString path; // relative, '/'-separated: "snapshot.json", "diagnosis/kmr_victim.json"
    QByteArray data;
};

// Why a bundle could not be opened. Each kind has its own message (what is wrong, what to do).
enum class BundleError {
    None,
    CannotOpen, // the file cannot be read (missing, permission)
    NotAnArchive, // not a gzip-compressed tar (or empty)
    Truncated, // the archive ends early
    Damaged, // the compressed data or a tar header is corrupt
    UnsafePath, // an absolute path, "..", or an odd name
    LinkEntry, // a symlink or hardlink
    SpecialEntry, // a device node, fifo or socket
    DuplicateMember,
    MemberTooLarge, // one member over the per-member cap
    TotalTooLarge, // the members together over the total cap (a decompression bomb)
    MissingManifest,
    BadManifest, // manifest.json is not the JSON we write
    UnknownSchema, // another schema name, or a schema_version this build does not read
    MissingMember, // listed in the manifest, absent from the archive
    UnlistedMember, // in the archive, not listed in the manifest
    ChecksumMismatch, // sha256 differs from the manifest
    BadMember, // a member's content cannot be parsed (snapshot.json, ...)
    NotASosReport, // a directory or tar with none of sos's own files (sos_commands/, sos_reports/, version.txt)
    NoModuleList, // a sosreport without /proc/modules or lsmod (taken without the kernel plugin)
    Cancelled, // ReadLimits::cancelled said stop (the GUI's Cancel)
};
QString toString(BundleError e); // stable id: "checksum-mismatch", ...

struct BundleArchive {
    QJsonObject manifest;
    QMap<QString, QByteArray> members; // every member but manifest.json, by path
};

// The caps fit the largest bundle we export: a 100 MB kernel log is about 250 MB as JSON lines.
struct ReadLimits {
    qint64 maxMemberSize = 320LL * 1024 * 1024;
    qint64 maxTotalSize = 768LL * 1024 * 1024; // uncompressed, all members read together
    // Every member, read or skipped: a sosreport's members kmodrescue does not need still have to
    // be decompressed to get past them.
    qint64 maxScannedSize = 4LL * 1024 * 1024 * 1024;
    // Asked as the read goes on (each 64 KiB kept, each member skipped, each file of an unpacked
    // sosreport): true stops it with BundleError::Cancelled. Parsing what was read is not stopped.
    std::function<bool()> cancelled;
};

// Reads a bundle entirely in memory: nothing is ever extracted to disk. Returns false and sets
// *error and *message (a sentence: what is wrong and what to do) on any failure.
bool readBundleArchive(
    const QString &file, BundleArchive *out, BundleError *error, QString *message, const ReadLimits &limits = {});

// The same on bytes already in memory (the fuzzer, a bundle embedded as a resource); `name` is
// what the messages call it.
bool readBundleArchiveData(const QByteArray &data, const QString &name, BundleArchive *out, BundleError *error,
    QString *message, const ReadLimits &limits = {});

struct WriteOptions {
    int compressionLevel = 6; // gzip level, as `tar czf` uses
    // Called now and then with the bytes given to the compressor so far and the total.
    std::function<void(qint64 done, qint64 total)> progress;
};

// Builds manifest.json around `members` (their sha256, sizes; `manifestExtra` keys such as
// "parts", "kernel_release" are merged in) and writes the bundle atomically: an anonymous
// temporary file in the target directory (O_TMPFILE; a hidden temporary name where the file
// system lacks it), fsync, then rename onto `file` and fsync of the directory. A kill at any
// moment leaves no partial file under `file`. Returns false with *message on failure, and then
// leaves `file` untouched.
bool writeBundleArchive(const QString &file, const QList<BundleMember> &members, const QJsonObject &manifestExtra,
    QString *message, const WriteOptions &options = {});

// The manifest writeBundleArchive would write (exposed for tests that build malicious bundles).
QJsonObject makeManifest(const QList<BundleMember> &members, const QJsonObject &extra);

} // namespace kmr::bundle
