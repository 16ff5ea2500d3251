// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QByteArray>

namespace kmr {

// What kmodrescue reads from a .ko itself (modinfo comes from libkmod): the compiler in its
// .comment section and whether it defines an exit function. .ko, .ko.xz, .ko.zst and .ko.gz are
// decompressed in memory through libarchive's raw format.
struct KoFileFacts {
    Fact compiler;
    ExitPresence exit = ExitPresence::Unknown;
    QString exitWhy;
    bool hasInit = false;
};

KoFileFacts readKoFile(const QString &path);

// Decompresses (if needed) a module file into memory; false with *why on failure.
bool loadModuleImage(const QString &path, QByteArray *image, QString *why);

// Parses an ELF64 relocatable module image. Exposed for tests and the fuzzer.
KoFileFacts parseKoImage(const QByteArray &image, const QString &nameForErrors);

} // namespace kmr
