// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace kmr::kernellog {

// One file of a crash corpus in syzkaller's report test format: header lines ("TITLE: ...",
// "ALT: ...", "CORRUPTED: Y", ...) up to the first empty line, then the raw log, then
// optionally an empty line, "REPORT:" and the expected report (ignored here).
struct CorpusCase {
    QString name;
    QString title; // empty: the log holds no crash
    QStringList altTitles;
    bool corrupted = false;
    QByteArray log; // "\r" removed
};

bool parseCorpusCase(const QByteArray &data, CorpusCase *out, QString *error = nullptr);

// The title's kind: the part before " in ".
QString titleKind(const QString &title);

struct CorpusScore {
    int files = 0;
    int withCrash = 0; // files that name a TITLE
    int detected = 0; // crash found exactly where one is expected (and none where none is)
    int kindRight = 0; // of withCrash
    int titleRight = 0; // of withCrash; an ALT title counts
    QStringList misses; // "name: expected 'X' got 'Y'" for every file not fully right
};

// Scores the extractor on every regular file of dir (README*/LICENSE* skipped).
// Returns false with *error when the directory cannot be read or holds no case.
bool scoreCorpus(const QString &dir, CorpusScore *score, QString *error = nullptr);

} // namespace kmr::kernellog
