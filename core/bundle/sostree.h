// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A sosreport's files as `sos report` lays them out (sos_commands/PLUGIN/COMMAND, copies of
// /proc, /sys, /boot at their paths, sos_reports/manifest.json, version.txt), read into memory
// from its tarball (.tar.xz by default; .tar.gz, .tar.bz2, .tar.zst, .tar), which is never
// extracted, or from the directory it unpacks to. Only the files kmodrescue reads are kept
// (sosWanted()); every member is still checked: an unsafe name, a link leading outside the
// report, a device node where a wanted file should be, an over-size member or a decompression
// bomb each get their own error.

#include "bundle/archivereader.h"
#include "util/filetree.h"

namespace kmr::bundle {

struct SosTree {
    MemoryTree files; // by path from the report's top: "proc/modules", "sos_commands/kernel/lsmod"
    QString path; // the tarball or directory opened
    QString topName; // the archive's top directory ("sosreport-host-2026-11-22-abcdef"), "" when none
    QStringList skippedSpecial; // device nodes and fifos sos copied where kmodrescue reads nothing
};

// The paths (from the report's top) kmodrescue reads.
bool sosWanted(const QString &relativePath);

// Whether `path` is to be opened as a sosreport rather than a kmodrescue bundle: a directory, a
// tar that is not gzip-compressed (bundles always are), or a .tar.gz whose first members are
// sos's (a "sosreport-*" top directory, version.txt, sos_reports/, sos_logs/, sos_commands/).
bool looksLikeSosReport(const QString &path);

// Reads a sosreport tarball or unpacked directory. false with *error and *message (what is
// wrong, what to do) when it cannot be read or is not a sosreport.
bool readSosTree(
    const QString &path, SosTree *out, BundleError *error, QString *message, const ReadLimits &limits = {});

// The same on a tarball already in memory (the fuzzer); `name` is what messages call it.
bool readSosTreeData(const QByteArray &data, const QString &name, SosTree *out, BundleError *error, QString *message,
    const ReadLimits &limits = {});

} // namespace kmr::bundle
